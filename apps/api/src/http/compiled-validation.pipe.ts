import { ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
type Validate = (value: unknown, args: ValidationArguments) => unknown;

interface Rule {
  readonly validateIf: ((object: object, value: unknown) => boolean) | undefined;
  readonly each: boolean;
  readonly constraints: unknown[];
  readonly validators: readonly Validate[];
}

interface PropertyPlan {
  readonly name: string;
  readonly conditions: readonly ((object: object, value: unknown) => unknown)[];
  readonly rules: readonly Rule[];
  readonly nested: boolean;
}

interface ClassPlan {
  /** The properties that have any metadata: with `whitelist`, every other own property is an error. */
  readonly known: ReadonlySet<string>;
  readonly properties: readonly PropertyPlan[];
}

/** Options under which `accepts` answers exactly as class-validator does; anything else is refused at start. */
const SUPPORTED_OPTIONS = new Set(['whitelist', 'forbidNonWhitelisted', 'forbidUnknownValues', 'transform', 'validationError', 'exceptionFactory']);

/**
 * The global ValidationPipe, with the way in for a valid body compiled once per DTO class from the same
 * class-validator metadata (the decorators that also give the OpenAPI document its schemas).
 *
 * Per request, class-validator looks the rules of every object up again (a walk of every DTO class in
 * the process), groups them by property and builds an error object per property, and Nest's pipe walks
 * the body three more times around it; on a create that was a sixth of the api's CPU. Here a body is
 * turned into its DTO by class-transformer exactly as the pipe does, and the DTO is then checked against
 * a plan built once per class, calling the very same constraint functions (class-validator's own
 * IsString, Length, Matches, IsUrl, ... instances) with the same arguments, in the same conditions
 * (ValidateIf), property by property and nested object by nested object.
 *
 * Only acceptance is decided here. Whatever the plan does not pass (a failing rule, an unknown
 * property, a promise from a constraint, a class without a plan, a body that is not an object) goes
 * to the ValidationPipe itself, so every refusal, and its error body, is the pipe's own. The spec
 * checks both directions against the pipe: what is accepted here is accepted there and the DTOs are
 * equal, and what the pipe accepts is accepted here.
 */
export class CompiledValidationPipe implements PipeTransform {
  private readonly pipe: ValidationPipe;
  private readonly plans = new Map<unknown, ClassPlan | null>();
  private readonly storage = getMetadataStorage();

  constructor(private readonly options: ValidationPipeOptions) {
    const unsupported = Object.keys(options).filter((key) => !SUPPORTED_OPTIONS.has(key));
    if (unsupported.length > 0 || options.transform !== true || options.whitelist !== true || options.forbidNonWhitelisted !== true || options.forbidUnknownValues === false) {
      throw new Error(`CompiledValidationPipe reproduces class-validator only with transform, whitelist, forbidNonWhitelisted and forbidUnknownValues on (${unsupported.join(', ')})`);
    }
    this.pipe = new ValidationPipe(options);
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && metadata.metatype !== undefined) {
      const entity = this.accepted(value, metadata.metatype);
      if (entity !== undefined) return entity;
    }
    return this.pipe.transform(value, metadata);
  }

  /** The DTO the pipe would return for `value`, when the compiled plan accepts it; undefined otherwise. */
  accepted(value: unknown, metatype: abstract new (...args: never[]) => unknown): object | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || this.planOf(metatype) === null) return undefined;
    // The pipe strips `__proto__`, `prototype` and `constructor` keys first: the JSON parser refuses the
    // first, a copied `prototype` is an unknown property below, and class-transformer drops `constructor`.
    let entity: object;
    try {
      entity = plainToInstance(metatype as new () => object, value);
    } catch {
      return undefined; // whatever the pipe makes of it, after its own stripping
    }
    return entity.constructor === metatype && this.accepts(entity) ? entity : undefined;
  }

  private accepts(object: object): boolean {
    const plan = this.planOf(object.constructor);
    if (plan === null) return false;
    for (const key of Object.keys(object)) if (!plan.known.has(key)) return false;
    const targetName = (object.constructor as { name?: string } | undefined)?.name;
    for (const property of plan.properties) {
      const value = (object as Record<string, unknown>)[property.name];
      if (!property.conditions.every((condition) => condition(object, value))) continue;
      for (const rule of property.rules) {
        if (rule.validateIf !== undefined && !rule.validateIf(object, value)) continue;
        const args: ValidationArguments = { targetName: targetName!, property: property.name, object, value, constraints: rule.constraints };
        const items = rule.each && (Array.isArray(value) || value instanceof Set || value instanceof Map) ? itemsOf(value) : undefined;
        for (const validate of rule.validators) {
          if (items === undefined ? !isTrue(validate(value, args)) : !items.every((item) => isTrue(validate(item, args)))) return false;
        }
      }
      if (property.nested && !this.nestedAccepts(value)) return false;
    }
    return true;
  }

  /** class-validator's nestedValidations: arrays, sets and maps item by item, objects by their own class. */
  private nestedAccepts(value: unknown): boolean {
    if (value === undefined) return true;
    if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
      return (value instanceof Set ? [...value] : value instanceof Map ? [...value.values()] : value).every((item: unknown) => this.nestedAccepts(item));
    }
    return value instanceof Object && this.accepts(value);
  }

  /** The plan of a class, built on first use; null when it has no rules or uses what the plan cannot reproduce. */
  private planOf(target: unknown): ClassPlan | null {
    let plan = this.plans.get(target);
    if (plan === undefined) {
      plan = typeof target === 'function' ? this.compile(target as new () => unknown) : null;
      this.plans.set(target, plan);
    }
    return plan;
  }

  private compile(target: new () => unknown): ClassPlan | null {
    // Exactly the lookup class-validator makes for an instance of `target` with these options (no
    // groups; the app registers no schemas, so the target schema adds nothing).
    const metadatas = this.storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false, undefined);
    // forbidUnknownValues: an object whose class has no rules is an error.
    if (metadatas.length === 0) return null;
    const properties: PropertyPlan[] = [];
    for (const [name, list] of Object.entries(this.storage.groupByPropertyName(metadatas))) {
      const conditions: PropertyPlan['conditions'][number][] = [];
      const rules: Rule[] = [];
      let nested = false;
      for (const metadata of list) {
        switch (metadata.type) {
          case ValidationTypes.CONDITIONAL_VALIDATION:
            conditions.push(metadata.constraints[0] as PropertyPlan['conditions'][number]);
            break;
          case ValidationTypes.IS_DEFINED:
          case ValidationTypes.CUSTOM_VALIDATION: {
            const rule = this.ruleOf(metadata);
            if (rule === null) return null;
            rules.push(rule);
            break;
          }
          case ValidationTypes.NESTED_VALIDATION:
            nested = true;
            break;
          case ValidationTypes.WHITELIST:
            break;
          default:
            // Promise validation and anything newer: left to class-validator.
            return null;
        }
      }
      properties.push({ name, conditions, rules, nested });
    }
    return { known: new Set(properties.map((p) => p.name)), properties };
  }

  private ruleOf(metadata: ValidationMetadata): Rule | null {
    const constraints = this.storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (constraints.some((constraint) => constraint.async)) return null;
    return {
      validateIf: metadata.validateIf,
      each: metadata.each,
      constraints: metadata.constraints,
      validators: constraints.map((constraint) => {
        const instance = constraint.instance;
        return (value: unknown, args: ValidationArguments) => instance.validate(value, args);
      }),
    };
  }
}

function itemsOf(value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] {
  return value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];
}

/** A constraint's verdict; a promise (an asynchronous rule) is left to class-validator. */
function isTrue(verdict: unknown): boolean {
  if (typeof verdict === 'object' && verdict !== null && typeof (verdict as { then?: unknown }).then === 'function') return false;
  return Boolean(verdict);
}

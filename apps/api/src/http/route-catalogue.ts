import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { Injectable, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLES, type Role } from '@app/auth';

/** One HTTP route of the api as its controller declares it. */
export interface RouteInfo {
  /** Upper case, e.g. `POST`. */
  readonly method: string;
  /** Fastify's pattern, e.g. `/nominations/:id/approve`. */
  readonly path: string;
  readonly isPublic: boolean;
  /** The roles @Roles() asks for; undefined means any authenticated caller. */
  readonly roles: readonly Role[] | undefined;
}

function joinPath(...parts: string[]): string {
  const joined = parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '').join('/');
  return `/${joined}`;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [''] : [String(value)]);

/**
 * Every route of the api with who may call it, read from the controllers' metadata: the edge uses it to
 * know which routes are public before Nest runs, and the OWASP test suite enumerates it so that a route
 * added tomorrow is covered by the same checks without anyone listing it.
 */
@Injectable()
export class RouteCatalogue {
  private cached: RouteInfo[] | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): readonly RouteInfo[] {
    this.cached ??= this.discovery.getControllers().flatMap((wrapper) => {
      const metatype = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!wrapper.instance || !metatype) return [];
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, metatype));
      return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name] as object;
        const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const requestMethod: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (methodPath === undefined || typeof requestMethod !== 'number') return [];
        const targets = [handler as () => void, metatype];
        const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true;
        const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(REQUIRED_ROLES, targets);
        const method = RequestMethod[requestMethod]!;
        return controllerPaths.flatMap((base) => asList(methodPath).map((path) => ({ method, path: joinPath(base, path), isPublic, roles })));
      });
    });
    return this.cached;
  }

  isPublic(method: string, path: string): boolean {
    return this.routes().some((route) => route.isPublic && route.path === path && (route.method === method || route.method === 'ALL'));
  }
}

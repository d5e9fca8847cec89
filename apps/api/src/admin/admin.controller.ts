import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, CODE_SETS, CurrentActor, Forbidden, Roles } from '@app/auth';
import type { UnitDirectory } from '@app/nomination';
import { type StaffMember, ReferenceDataService, StaffDirectory } from '@app/application';
import { ProblemError } from '../http/problem';
import { IdempotencyKeyHeader } from '../http/api-headers';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { MAX_UNITS_PER_REQUEST, StaffDto, StaffListDto, StaffMemberDto, StaffQueryDto, UnitRecordDto, UpsertedUnitsDto } from './admin.dto';
import { ArrayBodyPipe } from './array-body.pipe';

function isAtOrUnder(directory: UnitDirectory, codeSet: string, unit: string, ancestor: string): boolean {
  return unit === ancestor || (directory.find(codeSet, unit) !== undefined && directory.isAtOrUnder(codeSet, unit, ancestor));
}

// A staff id is the `sub` of the person's token: opaque, so only its length and printability are checked.
const STAFF_ID = /^[^\s\p{C}]{1,200}$/u;

@ApiTags('administration')
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller()
export class AdminController {
  constructor(
    private readonly referenceData: ReferenceDataService,
    private readonly staff: StaffDirectory,
  ) {}

  @Put('units')
  @ApiOperation({
    summary: 'Upsert administrative units · Cập nhật danh mục đơn vị hành chính',
    description: 'The whole directory is validated as it would be afterwards; if invalid nothing is written.',
  })
  @ApiBody({ type: [UnitRecordDto], description: `At most ${MAX_UNITS_PER_REQUEST} units.` })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: UpsertedUnitsDto })
  @ApiProblemResponses([400, 401, 403, 422, 429])
  async upsertUnits(
    @Body(new ArrayBodyPipe(UnitRecordDto, MAX_UNITS_PER_REQUEST)) units: UnitRecordDto[],
    @CurrentActor() actor: Actor,
  ): Promise<{ upserted: number }> {
    await this.requireUnitsUnderAdmin(actor, units);
    return this.referenceData.upsertUnits(
      units.map(({ codeSet, code, name, level, parentCode }) => ({ codeSet, code, name, level, parentCode })),
    );
  }

  @Put('staff/:id')
  @ApiOperation({ summary: 'Create or update a staff member · Cập nhật cán bộ' })
  @ApiParam({ name: 'id', description: 'The `sub` of the person\'s token.', example: 'muongla-noivu-01' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: StaffMemberDto })
  @ApiProblemResponses([400, 401, 403, 422, 429])
  async upsertStaff(@Param('id') id: string, @Body() body: StaffDto, @CurrentActor() actor: Actor): Promise<StaffMember> {
    if (!STAFF_ID.test(id)) {
      throw new ProblemError('validation_failed', 'The request is not valid.', {
        errors: [{ field: 'id', message: 'id must be 1 to 200 printable characters without spaces' }],
      });
    }
    // Both where the person is now and where they are put must be the admin's (issue 12.14).
    const current = await this.staff.get(id);
    await this.requireStaffUnitUnderAdmin(actor, body.unit, body.codeSet);
    if (current !== undefined) await this.requireStaffUnitUnderAdmin(actor, current.unit, current.codeSet);
    const { name, email, unit, codeSet, roles, locale, active, notifications } = body;
    return this.staff.upsert(id, {
      name, email, unit, ...(codeSet === undefined ? {} : { codeSet }), roles: [...roles], locale, active, notifications: notifications ?? 'immediate',
    });
  }

  @Get('staff')
  @ApiOperation({ summary: 'Staff, optionally of one unit · Danh sách cán bộ' })
  @ApiOkResponse({ type: StaffListDto })
  @ApiReadProblemResponses()
  async listStaff(@Query() query: StaffQueryDto, @CurrentActor() actor: Actor): Promise<{ items: readonly StaffMember[] }> {
    if (query.unit !== undefined) await this.requireStaffUnitUnderAdmin(actor, query.unit, undefined);
    const admin = this.referenceData.domainActor(actor);
    const directory = await this.referenceData.directory();
    const items = await this.staff.list(query.unit);
    return { items: items.filter((m) => (m.codeSet !== undefined ? [m.codeSet] : CODE_SETS).some((set) => isAtOrUnder(directory, set, m.unit, admin.unit))) };
  }

  /**
   * Admin actions are bounded by the admin's unit (issue 12.14): every unit written, its parent before
   * and its parent after must lie at or under the admin's unit, so a commune's admin cannot re-parent
   * or rename another unit, or move one out from under a district into their own.
   */
  private async requireUnitsUnderAdmin(actor: Actor, units: readonly UnitRecordDto[]): Promise<void> {
    const admin = this.referenceData.domainActor(actor);
    const directory = await this.referenceData.directory();
    const batch = new Map(units.map((u) => [`${u.codeSet}:${u.code}`, u.parentCode]));
    const under = (codeSet: string, code: string, seen = new Set<string>()): boolean => {
      if (code === admin.unit) return true;
      const key = `${codeSet}:${code}`;
      if (seen.has(key)) return false;
      seen.add(key);
      const parent = batch.has(key) ? batch.get(key) : directory.find(codeSet, code)?.parentCode;
      return parent !== undefined && parent !== null && under(codeSet, parent, seen);
    };
    const outside = units.filter((u) => {
      // A parent that exists nowhere is the directory validation's to refuse (400), not a question of rights.
      if (u.parentCode !== null && !batch.has(`${u.codeSet}:${u.parentCode}`) && directory.find(u.codeSet, u.parentCode) === undefined) return false;
      const existing = directory.find(u.codeSet, u.code);
      const newParentMine = u.parentCode !== null && under(u.codeSet, u.parentCode);
      // A new unit goes under one of the admin's; moving a unit needs the admin above both its old and new place.
      if (existing === undefined) return !newParentMine;
      if (existing.parentCode !== u.parentCode) {
        return !(newParentMine && existing.parentCode !== null && isAtOrUnder(directory, u.codeSet, existing.parentCode, admin.unit));
      }
      return !under(u.codeSet, u.code);
    });
    if (outside.length > 0) {
      throw new Forbidden([], 'outside_admin_unit', `Only units at or under your unit ${admin.unit} may be changed: ${outside.slice(0, 20).map((u) => u.code).join(', ')}`);
    }
  }

  private async requireStaffUnitUnderAdmin(actor: Actor, unit: string, codeSet: string | undefined): Promise<void> {
    const admin = this.referenceData.domainActor(actor);
    const directory = await this.referenceData.directory();
    // A record without a code set is judged in any code set the unit exists in.
    if (!(codeSet !== undefined ? [codeSet] : CODE_SETS).some((set) => isAtOrUnder(directory, set, unit, admin.unit))) {
      throw new Forbidden([], 'outside_admin_unit', `Only staff of your unit ${admin.unit} or a unit under it may be managed here.`);
    }
  }
}

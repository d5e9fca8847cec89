import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { type StaffMember, ReferenceDataService, StaffDirectory } from '@app/workflow';
import { ProblemError } from '../http/problem';
import { IdempotencyKeyHeader } from '../http/api-headers';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { MAX_UNITS_PER_REQUEST, StaffDto, StaffListDto, StaffMemberDto, StaffQueryDto, UnitRecordDto, UpsertedUnitsDto } from './admin.dto';
import { ArrayBodyPipe } from './array-body.pipe';

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
  ): Promise<{ upserted: number }> {
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
  async upsertStaff(@Param('id') id: string, @Body() body: StaffDto): Promise<StaffMember> {
    if (!STAFF_ID.test(id)) {
      throw new ProblemError(400, 'validation_failed', 'The request is not valid.', {
        errors: [{ field: 'id', message: 'id must be 1 to 200 printable characters without spaces' }],
      });
    }
    const { name, email, unit, codeSet, roles, locale, active } = body;
    return this.staff.upsert(id, { name, email, unit, ...(codeSet === undefined ? {} : { codeSet }), roles: [...roles], locale, active });
  }

  @Get('staff')
  @ApiOperation({ summary: 'Staff, optionally of one unit · Danh sách cán bộ' })
  @ApiOkResponse({ type: StaffListDto })
  @ApiReadProblemResponses()
  async listStaff(@Query() query: StaffQueryDto): Promise<{ items: readonly StaffMember[] }> {
    return { items: await this.staff.list(query.unit) };
  }
}

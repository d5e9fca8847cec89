import { ValidationPipe } from '@nestjs/common';
import { StaffDto } from '../admin/admin.dto';
import { CompiledValidationPipe } from './compiled-validation.pipe';
import { ProblemError } from './problem';
import { VALIDATION_PIPE_OPTIONS } from './validation-options';

const staff = (email: string) => ({ name: 'Lò Thị Hoa', email, unit: '03814', roles: ['proposer'], locale: 'vi', active: true });
const metadata = { type: 'body' as const, metatype: StaffDto };

describe('IsEmailAddress', () => {
  const pipe = new ValidationPipe(VALIDATION_PIPE_OPTIONS);
  const compiled = new CompiledValidationPipe(VALIDATION_PIPE_OPTIONS);

  it('refuses an address with an unpaired surrogate as not an email (400 validation_failed), where validator.js throws URIError', async () => {
    for (const email of ['\ud800', 'a\udfff@chienglao.sonla.gov.vn', 'hoa@chi\ud83dng.vn']) {
      const refusal = await pipe.transform(staff(email), metadata).then(() => undefined, (error: unknown) => error);
      expect(refusal).toBeInstanceOf(ProblemError);
      expect((refusal as ProblemError).code).toBe('validation_failed');
      expect(JSON.stringify((refusal as ProblemError).extra)).toContain('email must be an email');
      expect(compiled.accepted(staff(email), StaffDto)).toBeUndefined();
    }
  });

  it('accepts what @IsEmail accepts and refuses what it refuses', async () => {
    await expect(pipe.transform(staff('thanh.lv@muongla.sonla.gov.vn'), metadata)).resolves.toBeInstanceOf(StaffDto);
    expect(compiled.accepted(staff('thanh.lv@muongla.sonla.gov.vn'), StaffDto)).toBeInstanceOf(StaffDto);
    await expect(pipe.transform(staff('not an address'), metadata)).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

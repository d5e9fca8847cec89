import type { Actor } from './actor';
import type { StaffAccess } from './staff-access';
import type { TokenVerifier } from './token-verifier';

/** Bearer token → Actor, then the staff directory's word on that actor; used before the body is read and by AuthGuard. */
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly staff: StaffAccess | undefined,
  ) {}

  async authenticate(authorization: string | string[] | undefined): Promise<Actor> {
    const actor = await this.verifier.authenticate(authorization);
    await this.staff?.check(actor);
    return actor;
  }
}

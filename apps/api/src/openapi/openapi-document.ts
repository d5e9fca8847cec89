import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The public contract as OpenAPI: served at /docs-json and the source of the console's typed client. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Nomination Approvals')
      .setDescription(
        'Đề nghị khen thưởng: hồ sơ thi đua, khen thưởng đi qua các cấp xã, huyện, tỉnh. ' +
          'Event-sourced approvals of emulation and commendation award nominations. ' +
          'Errors are application/problem+json with a stable `code`.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addSecurityRequirements('bearer')
      .build(),
  );
}

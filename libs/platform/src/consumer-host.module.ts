import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConsumerHost } from './consumer-host';

/** Runs every @DurableConsumerProvider() of the application. Imported by the worker only. */
@Module({
  imports: [DiscoveryModule],
  providers: [ConsumerHost],
  exports: [ConsumerHost],
})
export class ConsumerHostModule {}

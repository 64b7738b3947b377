import { Field, ObjectType, Query, Resolver } from 'type-graphql';
import { APP_VERSION } from '../../platform/version';

@ObjectType()
class Health {
  @Field() status: string;
  @Field() version: string;
}

/** The one query besides `login` that needs no authentication. */
@Resolver()
export class HealthResolver {
  @Query(() => Health, { description: 'Process liveness; needs no authentication.' })
  health(): Health {
    return { status: 'ok', version: APP_VERSION };
  }
}

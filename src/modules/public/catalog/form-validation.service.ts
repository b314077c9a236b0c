import { Injectable } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import type { Language, RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { FormValidationResultDto } from './dto/catalog.dto';
import { CatalogPublicService } from './catalog-public.service';
import { compileFormSchema } from './form-schema';
import { formErrors } from './form-errors';
import type { ServiceVersion } from './service.entity';

/** Compiled validators of published versions: those never change, so the id is the cache key. */
const VALIDATOR_CACHE_SIZE = 500;

/**
 * Application data checked against a service's published form (a JSON Schema, form-schema.ts):
 * the public pre-validation endpoint and the applications module's submission check.
 */
@Injectable()
export class FormValidationService {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly catalog: CatalogPublicService) {}

  /**
   * For the applications module: the submission's problems against the published form (none =
   * valid), each with its `form.<keyword>` code and a message in `lang`.
   */
  async validateForm(serviceId: string, data: unknown, lang: Language = 'zh-CN'): Promise<FieldError[]> {
    const { version } = await this.catalog.published(serviceId);
    return this.formProblems(version, data, lang);
  }

  /** The same, against a published version the caller has already loaded (no second read). */
  formProblems(version: ServiceVersion, data: unknown, lang: Language = 'zh-CN'): FieldError[] {
    const validate = this.validator(version);
    return validate(data) ? [] : formErrors(validate.errors, lang);
  }

  async formValidation(
    ctx: RequestContext,
    serviceId: string,
    data: unknown,
  ): Promise<FormValidationResultDto> {
    const errors = await this.validateForm(serviceId, data, ctx.language);
    return { valid: errors.length === 0, errors };
  }

  private validator(version: ServiceVersion): ValidateFunction {
    let validate = this.validators.get(version.id);
    if (!validate) {
      const compiled = compileFormSchema(version.content.form, '/form');
      // Published forms compiled at publication; failing now means the row was changed behind our back.
      if (!compiled.validate) throw new DomainError(ErrorCode.Internal);
      validate = compiled.validate;
      if (this.validators.size >= VALIDATOR_CACHE_SIZE)
        this.validators.delete(this.validators.keys().next().value as string);
      this.validators.set(version.id, validate);
    }
    return validate;
  }
}

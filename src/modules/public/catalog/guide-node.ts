import { ElderPublicGuideDto, PublicGuideDto } from './dto/catalog.dto';
import { ServiceGuideNode } from './dto/catalog.graphql';

/**
 * The published guide as GraphQL's ServiceGuide: the REST view's fields, with the guide (standard
 * mode) or the elder variant (elder mode) as a nested object and the other one null.
 */
export function guideNode(id: string, view: PublicGuideDto | ElderPublicGuideDto): ServiceGuideNode {
  if (view.mode === 'elder') {
    const { id: _id, mode, language, versionNumber, title, requiredAssurance, ...rest } = view;
    return {
      id,
      mode,
      language,
      versionNumber,
      title,
      summary: rest.summary,
      requiredAssurance,
      guide: null,
      form: null,
      elder: rest,
    };
  }
  return {
    id,
    mode: view.mode,
    language: view.language,
    versionNumber: view.versionNumber,
    title: view.title,
    summary: view.summary,
    requiredAssurance: view.requiredAssurance,
    guide: view.guide,
    form: view.form,
    elder: null,
  };
}

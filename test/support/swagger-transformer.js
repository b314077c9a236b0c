// Runs the @nestjs/swagger CLI plugin inside ts-jest, so DTO metadata in tests matches `nest build`.
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) =>
  plugin.before(
    { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts', '.entity.ts'] },
    cs.program,
  );

import { HandlingType, MaterialForm, ServiceContentDto, TimeUnit } from '../dto/catalog.dto';
import { ServiceTarget, ServiceType } from '../service.entity';
import { IdentityAssurance } from '../../../platform/identity/identity-assurance';

/**
 * The guides and forms of the three demo services (realistic texts, shortened). Workflows are in
 * demo-services.ts. The texts respect the catalogue DTO limits (demo-services e2e validates them).
 */

export interface DemoServiceSpec {
  /** 实施编码: also the idempotency key of the seed */
  code: string;
  /** demo unit key (demo-seed UNITS or DEMO_SERVICE_UNITS) */
  unit: string;
  type: ServiceType;
  target: ServiceTarget;
  content: ServiceContentDto;
}

const ui = (zh: string, en: string, order: number, widget?: string, help?: string) => ({
  'x-ui': { label: { 'zh-CN': zh, en }, order, ...(widget ? { widget } : {}), ...(help ? { help } : {}) },
});

/** `x-personal`: the value is stored only encrypted and masked for staff (see catalog/form-schema.ts). */
const personal = (kind: 'nationalId' | 'phone' | 'email' | 'address' | 'name') => ({ 'x-personal': kind });

const ID_CARD = '^\\d{17}[\\dX]$';
const MOBILE = '^1\\d{10}$';

/** `x-identity`: filled from a verified account's identity and locked (see catalog/form-schema.ts). */
const identity = (attribute: 'realName' | 'nationalId') => ({ 'x-identity': attribute });

const applicant = {
  applicantName: {
    type: 'string',
    minLength: 2,
    maxLength: 50,
    ...ui('姓名', 'Full name', 10),
    ...personal('name'),
    ...identity('realName'),
  },
  idNumber: {
    type: 'string',
    pattern: ID_CARD,
    ...ui('公民身份号码', 'Resident ID number', 20, 'id-card'),
    ...personal('nationalId'),
    ...identity('nationalId'),
  },
  phone: {
    type: 'string',
    pattern: MOBILE,
    ...ui('手机号码', 'Mobile phone', 30, 'phone'),
    ...personal('phone'),
  },
};

const HALL_A = {
  name: '演示市甲区政务服务中心 市场监管窗口',
  address: '演示市甲区人民路 1 号政务服务中心二楼 A 区 12-15 号窗口',
  hours: '周一至周五 9:00-12:00，13:30-17:00（法定节假日除外，调休上班日照常）',
};

export const INDIVIDUAL_BUSINESS: DemoServiceSpec = {
  code: '11990102MB0000001DEMO-GTGSH-SL',
  unit: 'marketA.reg',
  type: ServiceType.AdministrativeLicence,
  target: ServiceTarget.Person,
  content: {
    guide: {
      legalBasis:
        '《中华人民共和国市场主体登记管理条例》第三条、第十九条；《中华人民共和国市场主体登记管理条例实施细则》；《促进个体工商户发展条例》第九条。',
      conditions:
        '有经营能力的自然人，有固定的经营场所，经营范围不属于法律、行政法规禁止的项目；家庭经营的，参加经营的家庭成员应当在申请时一并登记。',
      materials: [
        {
          name: '个体工商户登记（备案）申请书',
          source: '申请人填写（网上申报自动生成）',
          copies: 1,
          form: MaterialForm.Both,
          required: true,
        },
        {
          name: '经营者身份证件',
          source: '公安机关核发',
          copies: 1,
          form: MaterialForm.Both,
          required: true,
        },
        {
          name: '经营场所使用证明（产权证明或租赁协议）',
          source: '申请人自备',
          copies: 1,
          form: MaterialForm.Both,
          required: true,
        },
        {
          name: '家庭成员关系证明（家庭经营时）',
          source: '公安机关或村（居）委会出具',
          copies: 1,
          form: MaterialForm.Paper,
          required: false,
        },
        {
          name: '委托书及受托人身份证件（委托办理时）',
          source: '申请人自备',
          copies: 1,
          form: MaterialForm.Paper,
          required: false,
        },
      ],
      legalLimit: { amount: 3, unit: TimeUnit.WorkingDays },
      promisedLimit: { amount: 2, unit: TimeUnit.WorkingDays },
      handlingType: HandlingType.Promised,
      visitsRequired: 0,
      fees: [],
      onlineDepth: 4,
      places: [HALL_A],
      steps: [
        '网上申报或到窗口提交申请材料',
        '登记注册科受理（材料不全的一次性告知补正）',
        '审核人员审查申请材料',
        '审批人员审批并作出登记决定',
        '核发营业执照（同步生成电子营业执照）',
        '邮寄送达或窗口领取',
      ],
      faq: [
        { q: '个体工商户登记收费吗？', a: '不收费。营业执照及副本免费发放，电子营业执照同步生成。' },
        {
          q: '可以不起字号名称吗？',
          a: '可以。没有字号的，以经营者姓名作为名称使用，营业执照上名称一栏为“***”。',
        },
        {
          q: '住宅可以作为经营场所吗？',
          a: '可以按当地“住所（经营场所）登记管理办法”申报，但不得从事餐饮、娱乐等法律法规禁止在住宅中经营的项目。',
        },
      ],
      consultPhone: '0999-12315',
      supervisionPhone: '0999-12345',
      lifeEvents: ['开办企业', '个体经营'],
      topics: ['市场主体登记', '营业执照'],
    },
    translations: {
      'zh-CN': {
        title: '个体工商户设立登记',
        summary:
          '自然人从事工商业经营，依法办理个体工商户设立登记，领取营业执照。全程网办，2 个工作日办结，不收费。',
      },
      en: {
        title: 'Registration of an individual business',
        summary:
          'Individuals who run a shop or small business register it and receive a business licence. Fully online, decided within 2 working days, free of charge.',
        conditions:
          'An individual able to run a business, with a fixed business place, in a trade the law does not prohibit; for a family business, the participating family members register with the application.',
      },
    },
    elder: {
      summary: '开个小店、做点小生意，先来登记，领营业执照。不收钱，两个工作日办好。',
      steps: [
        '带上身份证',
        '带上房子的租房合同或房产证',
        '到政务中心市场监管窗口',
        '填一张申请表',
        '等短信通知领执照',
      ],
    },
    // a licence in the applicant's name: only a verified identity may apply (issue 11 §2)
    requiredAssurance: IdentityAssurance.RealName,
    form: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: [
        'applicantName',
        'idNumber',
        'phone',
        'organisationForm',
        'businessScope',
        'businessAddress',
        'capital',
      ],
      properties: {
        ...applicant,
        organisationForm: {
          type: 'string',
          enum: ['individual', 'family'],
          ...ui('组成形式', 'Form of operation', 40, 'radio', '个人经营 individual / 家庭经营 family'),
        },
        tradeName: {
          type: 'string',
          maxLength: 60,
          ...ui('名称（字号，可不填）', 'Trade name (optional)', 50, 'text'),
        },
        businessScope: {
          type: 'string',
          minLength: 2,
          maxLength: 500,
          ...ui('经营范围', 'Business scope', 60, 'textarea', '按《经营范围登记规范表述目录》选择填写'),
        },
        businessAddress: {
          type: 'string',
          minLength: 5,
          maxLength: 200,
          ...ui('经营场所', 'Business address', 70, 'address'),
          ...personal('address'),
        },
        capital: {
          type: 'number',
          minimum: 0,
          maximum: 100000,
          ...ui('资金数额（万元）', 'Capital (10,000 yuan)', 80, 'number'),
        },
        employees: {
          type: 'integer',
          minimum: 0,
          maximum: 1000,
          ...ui('从业人数', 'Number of employees', 90, 'number'),
        },
      },
    },
  },
};

export const RESIDENCE_PERMIT: DemoServiceSpec = {
  code: '11990100MB0000005DEMO-JZZ-SL',
  unit: 'police.hukou',
  type: ServiceType.PublicService,
  target: ServiceTarget.Person,
  content: {
    guide: {
      legalBasis: '《居住证暂行条例》（国务院令第663号）第二条、第九条、第十三条；《演示省居住证实施办法》。',
      conditions:
        '离开常住户口所在地，到演示市居住半年以上，并符合有合法稳定就业、合法稳定住所、连续就读条件之一的中国公民。未满十六周岁的未成年人和行动不便的老年人、残疾人等，可由其监护人、近亲属代为申领。',
      materials: [
        { name: '居民身份证', source: '公安机关核发', copies: 1, form: MaterialForm.Both, required: true },
        {
          name: '近期一寸正面免冠白底彩色照片（可现场采集）',
          source: '申请人自备',
          copies: 2,
          form: MaterialForm.Both,
          required: true,
        },
        {
          name: '居住登记证明（居住满半年）',
          source: '居住地公安派出所出具',
          copies: 1,
          form: MaterialForm.Electronic,
          required: true,
        },
        {
          name: '劳动合同或营业执照（就业条件）',
          source: '用人单位或市场监管部门',
          copies: 1,
          form: MaterialForm.Both,
          required: false,
        },
        {
          name: '房屋租赁合同或不动产权证书（住所条件）',
          source: '申请人自备或不动产登记机构',
          copies: 1,
          form: MaterialForm.Both,
          required: false,
        },
        {
          name: '学校出具的在读证明（就读条件）',
          source: '就读学校',
          copies: 1,
          form: MaterialForm.Paper,
          required: false,
        },
      ],
      legalLimit: { amount: 15, unit: TimeUnit.WorkingDays },
      promisedLimit: { amount: 10, unit: TimeUnit.WorkingDays },
      handlingType: HandlingType.Promised,
      visitsRequired: 1,
      fees: [],
      onlineDepth: 3,
      places: [
        {
          name: '演示市公安局户政科 居住证办理窗口',
          address: '演示市人民大道 88 号市公安局出入境与户政服务大厅 3 号窗口',
          hours: '周一至周五 9:00-17:00，周六 9:00-12:00（法定节假日除外）',
        },
      ],
      steps: [
        '网上预约并提交申请',
        '户政窗口受理（核验身份、采集照片）',
        '户政科审核居住登记和就业、住所或就读条件',
        '户政科负责人审批',
        '市公安局分管负责人审批',
        '作出决定并制作居住证',
        '领取居住证（可选择邮寄）',
      ],
      faq: [
        { q: '首次申领居住证收费吗？', a: '首次申领不收费；换领、补领的，按规定缴纳工本费。' },
        { q: '居住证有效期多久？', a: '居住证每年签注一次，签注后继续有效；签注可网上办理。' },
        {
          q: '居住证能享受哪些服务？',
          a: '义务教育、基本公共就业服务、基本公共卫生服务、公共文化服务、办理出入境证件、机动车登记等（详见《居住证暂行条例》第十二条）。',
        },
      ],
      consultPhone: '0999-110110',
      supervisionPhone: '0999-12345',
      lifeEvents: ['异地居住', '就业', '子女入学'],
      topics: ['户籍与居住', '公安服务'],
    },
    translations: {
      'zh-CN': {
        title: '居住证申领',
        summary:
          '在演示市居住半年以上的外地户籍人员，申领居住证，享受当地基本公共服务。10 个工作日办结，首次申领免费。',
      },
      en: {
        title: 'Application for a residence permit',
        summary:
          'People registered elsewhere who have lived in Demo City for six months apply for a residence permit giving access to local public services. Decided within 10 working days; the first permit is free.',
        conditions:
          'Chinese citizens who have left their place of household registration and lived in Demo City for over six months, with stable legal employment, a stable legal residence or continuous studies. Guardians or close relatives may apply for minors under 16, and for elderly or disabled people with limited mobility.',
      },
    },
    elder: {
      summary: '外地户口在本市住满半年，可以办居住证，看病、孩子上学更方便。第一次办不收钱。',
      steps: [
        '带上身份证',
        '带上租房合同或工作证明',
        '到市公安局户政大厅 3 号窗口',
        '现场拍照',
        '十个工作日后来领证',
      ],
    },
    // a licence in the applicant's name: only a verified identity may apply (issue 11 §2)
    requiredAssurance: IdentityAssurance.RealName,
    form: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['applicantName', 'idNumber', 'phone', 'currentAddress', 'residentSince', 'basis'],
      properties: {
        ...applicant,
        currentAddress: {
          type: 'string',
          minLength: 5,
          maxLength: 200,
          ...ui('现居住地址', 'Current address', 40, 'address'),
          ...personal('address'),
        },
        residentSince: {
          type: 'string',
          format: 'date',
          ...ui('居住登记日期', 'Residence registered on', 50, 'date'),
        },
        basis: {
          type: 'string',
          enum: ['employment', 'residence', 'study'],
          ...ui('申领条件', 'Grounds', 60, 'select', '合法稳定就业 / 合法稳定住所 / 连续就读'),
        },
        employerOrSchool: {
          type: 'string',
          maxLength: 100,
          ...ui('工作单位或就读学校', 'Employer or school', 70, 'text'),
        },
        delivery: {
          type: 'string',
          enum: ['window', 'post'],
          ...ui('领取方式', 'How to receive it', 80, 'radio'),
        },
      },
    },
  },
};

export const SENIOR_CARD: DemoServiceSpec = {
  code: '11990100MB0000007DEMO-LNRYDZ',
  unit: 'civil.elder',
  type: ServiceType.PublicService,
  target: ServiceTarget.Person,
  content: {
    guide: {
      legalBasis:
        '《中华人民共和国老年人权益保障法》第五十七条、第五十八条；《演示省老年人优待办法》；全国老龄办《关于推进老年人优待证工作的通知》。',
      conditions: '年满六十周岁的本市户籍老年人，以及在本市居住的持有居住证的外地户籍老年人。',
      materials: [
        {
          name: '居民身份证或户口簿',
          source: '公安机关核发',
          copies: 1,
          form: MaterialForm.Both,
          required: true,
        },
        {
          name: '近期一寸免冠彩色照片（可现场拍摄）',
          source: '申请人自备',
          copies: 1,
          form: MaterialForm.Both,
          required: false,
        },
        {
          name: '代办人身份证件（代办时）',
          source: '代办人自备',
          copies: 1,
          form: MaterialForm.Paper,
          required: false,
        },
      ],
      legalLimit: { amount: 1, unit: TimeUnit.WorkingDays },
      handlingType: HandlingType.Immediate,
      visitsRequired: 1,
      fees: [],
      onlineDepth: 3,
      places: [
        {
          name: '演示市民政局 养老服务窗口（政务服务中心一楼）',
          address: '演示市人民大道 100 号市政务服务中心一楼 8 号窗口（设老年人绿色通道）',
          hours: '周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）',
        },
      ],
      steps: ['携带身份证到窗口或网上提交', '窗口受理并当场核验', '当场作出决定', '当场制发优待证'],
      faq: [
        { q: '办理老年人优待证要钱吗？', a: '不收费，当场办结、当场领证。' },
        { q: '家人可以代办吗？', a: '可以。代办人携带老人身份证或户口簿、本人身份证即可。' },
        { q: '优待证有什么用？', a: '凭证可享受公园、景区门票减免，公共交通优惠，医疗机构优先就诊等优待。' },
      ],
      consultPhone: '0999-12349',
      supervisionPhone: '0999-12345',
      lifeEvents: ['养老', '退休'],
      topics: ['老年人服务', '社会福利'],
    },
    translations: {
      'zh-CN': {
        title: '老年人优待证办理',
        summary: '年满 60 周岁的老年人办理优待证，凭证享受交通、游览、就医等优待。即办件，当场办结，免费。',
      },
      en: {
        title: 'Senior citizen card',
        summary:
          'People aged 60 or over get a senior citizen card for discounts on transport, parks and sights, and priority at hospitals. Issued on the spot, free of charge.',
        conditions:
          'Residents aged 60 or over registered in Demo City, and those registered elsewhere who hold a Demo City residence permit.',
      },
    },
    elder: {
      summary: '满 60 岁就能办老年人优待证，坐车、逛公园、看病都有优惠。不收钱，当场就能拿到。',
      steps: ['带上身份证', '到政务中心一楼 8 号窗口', '现场拍张照', '当场拿证'],
    },
    form: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['applicantName', 'idNumber', 'phone', 'birthDate', 'hukouType'],
      properties: {
        ...applicant,
        birthDate: { type: 'string', format: 'date', ...ui('出生日期', 'Date of birth', 40, 'date') },
        hukouType: {
          type: 'string',
          enum: ['local', 'residence_permit'],
          ...ui('户籍情况', 'Registration', 50, 'radio', '本市户籍 / 持本市居住证'),
        },
        agentName: {
          type: 'string',
          maxLength: 50,
          ...ui('代办人姓名（代办时填写）', 'Agent name (if applying for someone)', 60, 'text'),
          ...personal('name'),
        },
      },
    },
  },
};

export const DEMO_SERVICES: readonly DemoServiceSpec[] = [INDIVIDUAL_BUSINESS, RESIDENCE_PERMIT, SENIOR_CARD];

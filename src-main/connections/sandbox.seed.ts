// What a fresh installation's Sandbox starts with, so every screen has something to show at once: sample
// templates in Meta's creation format (whatsapp-cloud-api.md §5), all APPROVED, covering positional and
// named parameters, an image header and a quick-reply "Stop" (§7: the common opt-out practice), with the
// quality ratings Meta gives (one not rated yet, as a newly approved template is), and a handful of demo
// customers.
import type { TemplateSeed } from '../simulator/simulator';

export const SANDBOX_WORKSPACE_NAME = 'My shop';
export const SANDBOX_CONNECTION_NAME = 'Sandbox';
export const SANDBOX_VERIFIED_NAME = 'My shop (Sandbox)';

export const sampleTemplates: TemplateSeed[] = [
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    quality: 'GREEN',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} is on its way. Reply here if you have any questions.',
        example: { body_text: [['Maria', '#1042']] },
      },
    ],
  },
  {
    name: 'welcome_offer',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    quality: 'GREEN',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:sandbox'] } },
      {
        type: 'BODY',
        text: 'Welcome, {{1}}! Show this message in the shop for 10% off your first order.',
        example: { body_text: [['Maria']] },
      },
      { type: 'FOOTER', text: 'Valid for 30 days' },
    ],
  },
  {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    status: 'APPROVED',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{customer_name}}, this is a reminder of your appointment on {{date}} at {{time}}.',
        example: {
          body_text_named_params: [
            { param_name: 'customer_name', example: 'Maria' },
            { param_name: 'date', example: 'May 14' },
            { param_name: 'time', example: '10:30' },
          ],
        },
      },
    ],
  },
  {
    name: 'weekly_deals',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    quality: 'YELLOW',
    components: [
      { type: 'HEADER', format: 'TEXT', text: "This week's deals" },
      {
        type: 'BODY',
        text: '{{1}} is {{2}} off until Sunday. Tap Stop to get no more offers.',
        example: { body_text: [['Cold brew', '20%']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Show me' },
          { type: 'QUICK_REPLY', text: 'Stop' },
        ],
      },
    ],
  },
];

export interface DemoContact {
  phoneE164: string;
  name: string;
  tags: string[];
  attributes: Record<string, string>;
}

// Numbers from fictional ranges where a country has one (US 555-01xx, Australia 0491 570 xxx); the
// Sandbox never reaches a real phone either way.
export const demoContacts: DemoContact[] = [
  { phoneE164: '+14155550123', name: 'Maria Lopez', tags: ['vip'], attributes: { city: 'San Francisco' } },
  { phoneE164: '+14155550147', name: 'James Carter', tags: [], attributes: { city: 'Oakland' } },
  { phoneE164: '+12025550143', name: 'Aisha Khan', tags: ['wholesale'], attributes: { city: 'Washington' } },
  { phoneE164: '+61491570156', name: 'Liam Nguyen', tags: [], attributes: { city: 'Sydney' } },
  { phoneE164: '+61491570159', name: 'Olivia Brown', tags: ['vip'], attributes: { city: 'Melbourne' } },
  { phoneE164: '+5511987654321', name: 'Ana Souza', tags: [], attributes: { city: 'São Paulo' } },
  { phoneE164: '+34600000001', name: 'Lucía García', tags: [], attributes: { city: 'Madrid' } },
  { phoneE164: '+4915112345678', name: 'Jonas Weber', tags: ['wholesale'], attributes: { city: 'Berlin' } },
  { phoneE164: '+33612345678', name: 'Camille Martin', tags: [], attributes: { city: 'Paris' } },
  { phoneE164: '+919876543210', name: 'Priya Sharma', tags: [], attributes: { city: 'Mumbai' } },
];

import type { BellhopApi } from './contract';

declare global {
  interface Window {
    api?: BellhopApi;
  }
}
export {};

import { createContext, useContext } from 'react';
import type { DashboardApi } from '../lib/dashboard-api';

/** The one thing the dashboard keeps in the browser: the operator's API key, for this tab's session. */
const KEY_ITEM = 'codcall.apiKey';

export const savedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const saveKey = (key: string) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

export const ApiContext = createContext<DashboardApi | null>(null);

export function useApi(): DashboardApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside a signed-in page');
  return api;
}

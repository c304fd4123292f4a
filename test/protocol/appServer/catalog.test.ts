import { describe, expect, it } from 'vitest';
import { clientRequests, serverNotificationParams, serverRequests, wireCatalog } from '../../../protocol/appServer/index.js';

describe('wireCatalog', () => {
  const catalog = wireCatalog();

  it('has one uniquely named entry per schema', () => {
    const names = catalog.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });

  it('lists params and result of every request, and every notification', () => {
    const keys = new Set(catalog.map((e) => `${e.direction} ${e.method} ${e.kind}`));
    for (const method of Object.keys(clientRequests)) {
      expect(keys).toContain(`clientRequest ${method} params`);
      expect(keys).toContain(`clientRequest ${method} result`);
    }
    for (const method of Object.keys(serverRequests)) {
      expect(keys).toContain(`serverRequest ${method} params`);
      expect(keys).toContain(`serverRequest ${method} result`);
    }
    for (const method of Object.keys(serverNotificationParams)) {
      expect(keys).toContain(`serverNotification ${method} notification`);
    }
    expect(keys).toContain('clientNotification initialized notification');
    expect(catalog.find((e) => e.method === 'thread/status/changed')?.name).toBe('ThreadStatusChangedNotification');
    expect(catalog.find((e) => e.method === 'item/fileChange/requestApproval')?.name).toBe('FileChangeRequestApprovalParams');
  });
});

// An independently written SCIM 2.0 server for the SCIM client's tests: SCIMMY (the
// protocol: schemas, filters, PatchOp, ListResponse, errors) behind its Express routers,
// on loopback. SCIMMY leaves storage to its host, so the few lines below keep users in a
// Map and enforce `userName` uniqueness without case (RFC 7643 §4.1), as a real server
// must. Everything else — filters, PATCH (including its 204 when nothing changed),
// pagination, error bodies — is SCIMMY's own behaviour.
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface ScimPeer {
  /** e.g. http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  token: string;
  users: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startScimmyPeer(token: string): Promise<ScimPeer> {
  const users = new Map<string, Record<string, unknown>>();
  type Res = { id?: string; filter?: { match(values: unknown[]): unknown[] } };
  SCIMMY.Resources.declare(
    SCIMMY.Resources.User.ingress((resource: Res, instance: { userName: string }) => {
      const clash = [...users.values()].some((u) => u.id !== resource.id && String(u.userName).toLowerCase() === instance.userName.toLowerCase());
      if (clash) throw new SCIMMY.Types.Error(409, 'uniqueness', 'userName is already in use');
      if (resource.id && !users.has(resource.id)) throw new SCIMMY.Types.Error(404, null as never, `Resource ${resource.id} not found`);
      const now = new Date();
      const previous = resource.id ? users.get(resource.id) : undefined;
      const record = {
        ...(JSON.parse(JSON.stringify(instance)) as Record<string, unknown>),
        id: resource.id ?? randomUUID(),
        meta: { created: (previous?.meta as { created?: Date } | undefined)?.created ?? now, lastModified: now },
      };
      users.set(record.id, record);
      return record as never;
    })
      .egress((resource: Res) => {
        if (resource.id) {
          const user = users.get(resource.id);
          if (!user) throw new SCIMMY.Types.Error(404, null as never, `Resource ${resource.id} not found`);
          return user as never;
        }
        const all = [...users.values()];
        return (resource.filter ? resource.filter.match(all) : all) as never;
      })
      .degress((resource: Res) => {
        if (!resource.id || !users.delete(resource.id)) throw new SCIMMY.Types.Error(404, null as never, `Resource ${resource.id} not found`);
      }),
  );
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (request) => {
        if (request.header('authorization') !== `Bearer ${token}`) throw new Error('a valid bearer token is required');
        return 'tenure-test';
      },
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

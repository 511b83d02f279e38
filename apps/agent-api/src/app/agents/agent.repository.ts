import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface StoredAgent {
  agentId: string;
  agentName: string;
  document: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface AgentRepository {
  insert(agentId: string, agentName: string, document: unknown): StoredAgent;
  replace(agentId: string, agentName: string, document: unknown): StoredAgent | undefined;
  find(agentId: string): StoredAgent | undefined;
  list(): StoredAgent[];
  delete(agentId: string): boolean;
  close(): void;
}

interface Row {
  agent_id: string;
  agent_name: string;
  document: string;
  created_at: string;
  updated_at: string;
}

/** Agents in one SQLite file under the data directory; the document is kept exactly as sent. */
export class SqliteAgentRepository implements AgentRepository {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'agents.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS agents (
      agent_id TEXT PRIMARY KEY,
      agent_name TEXT NOT NULL,
      document TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
  }

  insert(agentId: string, agentName: string, document: unknown): StoredAgent {
    const now = new Date().toISOString();
    this.db
      .prepare('INSERT INTO agents (agent_id, agent_name, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(agentId, agentName, JSON.stringify(document), now, now);
    return { agentId, agentName, document, createdAt: now, updatedAt: now };
  }

  replace(agentId: string, agentName: string, document: unknown): StoredAgent | undefined {
    const now = new Date().toISOString();
    const changed = this.db
      .prepare('UPDATE agents SET agent_name = ?, document = ?, updated_at = ? WHERE agent_id = ?')
      .run(agentName, JSON.stringify(document), now, agentId).changes;
    return changed ? this.find(agentId) : undefined;
  }

  find(agentId: string): StoredAgent | undefined {
    const row = this.db.prepare('SELECT * FROM agents WHERE agent_id = ?').get(agentId) as Row | undefined;
    return row ? toAgent(row) : undefined;
  }

  list(): StoredAgent[] {
    return (this.db.prepare('SELECT * FROM agents ORDER BY created_at').all() as Row[]).map(toAgent);
  }

  delete(agentId: string): boolean {
    return this.db.prepare('DELETE FROM agents WHERE agent_id = ?').run(agentId).changes > 0;
  }

  close(): void {
    this.db.close();
  }
}

function toAgent(row: Row): StoredAgent {
  return { agentId: row.agent_id, agentName: row.agent_name, document: JSON.parse(row.document), createdAt: row.created_at, updatedAt: row.updated_at };
}

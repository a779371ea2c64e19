/**
 * Just enough of the tar format (POSIX ustar, GNU long names, pax `path` records) to unpack a
 * dataset archive in memory. Only regular files are returned; links and devices are ignored, so an
 * archive cannot make extraction write outside the dataset folder through a link.
 */
export interface TarEntry {
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;

export function* readTar(bytes: Uint8Array, source = 'archive'): Generator<TarEntry> {
  let offset = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(header)) throw new Error(`${source}: corrupt tar header at byte ${offset} (checksum mismatch)`);
    const size = parseOctal(header.subarray(124, 136), source, offset);
    const type = String.fromCharCode(header[156] || 48);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > bytes.length)
      throw new Error(`${source}: truncated tar archive: entry at byte ${offset} needs ${size} bytes, ${bytes.length - dataStart} left`);
    const data = bytes.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(data);
      continue;
    }
    if (type === 'x') {
      paxPath = paxRecord(data, 'path') ?? paxPath;
      continue;
    }
    if (type === 'g') continue;
    let path = paxPath ?? longName ?? joinName(cString(header.subarray(345, 500)), cString(header.subarray(0, 100)));
    longName = null;
    paxPath = null;
    if (type !== '0' && type !== '7') continue; // only regular files
    if (path.startsWith('./')) path = path.slice(2);
    yield { path, data };
  }
  throw new Error(`${source}: truncated tar archive (no end-of-archive marker)`);
}

function joinName(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('utf8');
}

function parseOctal(b: Uint8Array, source: string, offset: number): number {
  if (b[0] & 0x80) {
    // GNU base-256 encoding for sizes of 8 GiB and more.
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const s = cString(b).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`${source}: corrupt tar header at byte ${offset} (size '${s}')`);
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(header: Uint8Array): boolean {
  const stored = parseInt(cString(header.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return stored === sum;
}

function paxRecord(data: Uint8Array, key: string): string | null {
  // Each record is "<length> <key>=<value>\n", where length counts bytes of the whole record.
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(Buffer.from(data.subarray(i, space)).toString('ascii'), 10);
    if (!(len > 0) || i + len > data.length) break;
    const record = Buffer.from(data.subarray(space + 1, i + len - 1)).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === key) return record.slice(eq + 1);
    i += len;
  }
  return null;
}

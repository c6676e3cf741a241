/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF),
 * the checksum of zip, gzip and PNG: crc32("123456789") = 0xCBF43926.
 */
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of the concatenation of `parts`. */
export function crc32(parts: Uint8Array | Uint8Array[]): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (const p of Array.isArray(parts) ? parts : [parts]) {
    for (let i = 0; i < p.length; i++) c = t[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

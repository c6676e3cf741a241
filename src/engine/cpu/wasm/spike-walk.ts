import { type Bytes, FunctionBuilder, I32, op } from './encoder.js';

/**
 * Code that runs `rows` (code reading local `row` = j * 4, the byte offset of presynaptic neuron
 * j's entry in a u32 table) once for every set bit j of the `preWords`-word bitmask at byte
 * address local `bitsAt`, lowest first. Words are tested four at a time: most are zero. `rows`
 * must not branch out of itself (its code sits inside the walk's loops).
 */
export function forEachSpikeCode(fn: FunctionBuilder, preWords: number, bitsAt: number, row: number, rows: Bytes, compact: boolean): Bytes {
  const { get, set, i32, i32Add, i32Sub, i32Load, block, loop, br, brIf } = op;
  const wordAt = fn.local(I32); // byte offset of the current group of four words
  const bits = fn.local(I32); // bits of the current word not yet visited

  /** The word `k` words after wordAt. */
  const word = (k: number): Bytes => {
    const bit = [
      ...brIf(op.i32Eqz(get(bits)), 1), // leave the block around this loop: the word is done
      // Entry j = word * 32 + ctz(bits) of a table sits at byte j * 4 = (wordAt + 4k) * 32 + ctz * 4.
      ...set(row, i32Add(op.i32Shl(i32Add(get(wordAt), i32(4 * k)), i32(5)), op.i32Shl(op.i32Ctz(get(bits)), i32(2)))),
      ...set(bits, op.i32And(get(bits), i32Sub(get(bits), i32(1)))),
      ...rows,
      ...br(0),
    ];
    return [...set(bits, i32Load(i32Add(get(bitsAt), get(wordAt)), 4 * k)), ...block(loop(bit))];
  };

  const code: Bytes[] = [set(wordAt, i32(0))];
  if (compact) {
    // One word per pass: a quarter of the code.
    code.push(op.doWhile([...word(0), ...set(wordAt, i32Add(get(wordAt), i32(4)))], op.i32LtU(get(wordAt), i32(preWords * 4))));
    return code.flat();
  }
  const groups = preWords >>> 2;
  if (groups > 0) {
    const group = block([...brIf(op.i32Eqz(op.anyTrue(op.load(i32Add(get(bitsAt), get(wordAt)), 0))), 0), ...word(0), ...word(1), ...word(2), ...word(3)]);
    code.push(op.doWhile([...group, ...set(wordAt, i32Add(get(wordAt), i32(16)))], op.i32LtU(get(wordAt), i32(groups * 16))));
  }
  for (let k = 0; k < (preWords & 3); k++) code.push(word(k));
  return code.flat();
}

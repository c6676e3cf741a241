// The parameter records of the training ops whose forward and backward kernels read the same
// fields (bias add/gradient, im2col/col2im, pooling, readout), one definition per pair. Each is
// the 32-byte record src/train/gpu/gpu-backend.ts writes for the op, bound at binding 0.

struct BiasParams {
  outer: u32,
  channels: u32,
  inner: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  _p4: u32,
}

struct ConvParams {
  channels: u32,
  height: u32,
  width: u32,
  kernel_stride: u32, // kernel | stride << 16
  padding: u32,
  out_height: u32,
  out_width: u32,
  rows: u32,
}

struct PoolParams {
  mode: u32, // 0 avg, 1 sum, 2 max
  size: u32,
  planes: u32, // channels * rows
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
  inv_area: f32,
}

struct ReadoutParams {
  kind: u32, // 0 count, 1 mean, 2 max
  steps: u32,
  n: u32,    // batch * classes
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  inv_t: f32,
}

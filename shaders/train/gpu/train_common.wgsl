// Shared by the training kernels (src/train/gpu/gpu-backend.ts). Binding 0 of every training
// kernel is its own 32-byte parameter record, moved per dispatch through the dynamic offset into
// the backend's ring of records (u32 fields first, then f32 fields). Element kernels run one
// thread per element over a 2D grid of workgroups (dispatchGrid), flattened here.
override WORKGROUP_SIZE: u32 = 64u;

// The element this invocation handles: workgroups are laid out x-major over an x * y grid.
fn thread_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WORKGROUP_SIZE + lid;
}

// The operations a model family's layers are written in, which every backend
// implements over its own memory (host for the CPU, device for a GPU). A
// family calls them in its layer order; the CPU backend's implementation is
// the readable reference the others are tested against.
//
// Buffers are row-major [rows, width] views with a row stride, in the
// backend's memory; weights are handles the backend gave out at load. The
// pass being run (its tokens, output rows, block layout and cache) is set by
// the backend before the family's forward, so the operations that need it
// (embedding, rotary positions, attention, gathering the output rows) read
// it from there.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace bd3 {

struct Rows {
    float* data = nullptr;
    int32_t rows = 0;
    int32_t width = 0;
    int32_t stride = 0;  // floats from one row to the next

    // The view of columns [first, first + count) of every row.
    Rows columns(int32_t first, int32_t count) const { return {data + first, rows, count, stride}; }
    bool contiguous() const { return stride == width; }
};

using MatrixId = int32_t;
using VectorId = int32_t;

struct AttentionShape {
    int32_t heads = 0;    // query heads
    int32_t kvHeads = 0;  // each serves heads / kvHeads consecutive query heads
    int32_t headDim = 0;
};

// Scratch buffers a family asks for by slot; a slot keeps its memory between
// passes and is only valid until the same slot is asked for again.
enum class Slot { Hidden, Normed, Qkv, Query, Key, Value, Attention, Projected, Gate, Up, Selected, Count };

class NetworkOps {
public:
    virtual ~NetworkOps() = default;

    // At load: a weight matrix [out, in] (also an embedding table [V, D]),
    // held in its stored type, or in bf16 when the model loads in bf16; and a
    // small fp32 vector (norm weights, biases, constants).
    virtual MatrixId addMatrix(StoredTensor tensor) = 0;
    virtual VectorId addVector(std::vector<float> values) = 0;

    // During a pass.
    virtual Rows scratch(Slot slot, int32_t rows, int32_t width) = 0;
    // The logits of the pass's output rows, [outputs, vocab].
    virtual Rows logits() = 0;
    // out[r] = table[pass token r].
    virtual void embedTokens(MatrixId table, Rows out) = 0;
    // out = x W^T (+ bias); out contiguous.
    virtual void linear(Rows x, MatrixId w, std::optional<VectorId> bias, Rows out) = 0;
    // RMSNorm over each group of groupWidth columns (the whole row, or one
    // head for q/k norm), times weight [groupWidth]; out may be x.
    virtual void rmsNorm(Rows x, VectorId weight, double eps, int32_t groupWidth, Rows out) = 0;
    // LayerNorm without bias (eps 1e-5), times weight, then * (1 + scale) + shift.
    virtual void modulatedLayerNorm(Rows x, VectorId weight, VectorId shift, VectorId scale, Rows out) = 0;
    // Rotary embedding, rotate-half over each head, at the pass's positions.
    virtual void rotary(Rows x, int32_t heads, int32_t headDim, double theta) = 0;
    // The chunk's keys and values join the cache's scratch rows (kept when
    // the pass keeps them); each query row attends to the cache and the
    // chunk's blocks up to its own. q, k, v: [rows, heads or kvHeads x headDim].
    virtual void attention(Rows q, Rows k, Rows v, const AttentionShape& shape, int32_t layer, Rows out) = 0;
    virtual void geluTanh(Rows x) = 0;
    // out = silu(gate) * up; out may be gate.
    virtual void siluGate(Rows gate, Rows up, Rows out) = 0;
    // h += y, or h += gate * y (gate of one row's width).
    virtual void addInto(Rows h, Rows y, std::optional<VectorId> gate) = 0;
    // out[i] = x[pass output row i].
    virtual void gatherOutputRows(Rows x, Rows out) = 0;
};

} // namespace bd3

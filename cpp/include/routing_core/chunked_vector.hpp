// A growable array in fixed-size chunks: elements never move once added, and growing never copies
// what is there. A std::vector of a few million elements doubles by allocating a second buffer and
// moving everything into it: the peak memory of that moment is twice the array, and the move is a
// pause of its own (on the city-year replay, the batch of 1,000 reports in which the engine's arrays
// by event doubled at 2^21 events took 0.34 s, against ~0.08 s for the batches around it). Indexing
// is one shift, one mask and two loads; the chunk table stays small (one pointer per chunk) and in
// cache.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace routing_core {

template <typename T, std::size_t ChunkBits = 12>
class ChunkedVector {
public:
    static constexpr std::size_t chunk_size = std::size_t{1} << ChunkBits;

    ChunkedVector() = default;
    // `n` value-initialised elements.
    explicit ChunkedVector(std::size_t n) { grow_to(n); }

    T& operator[](std::size_t i) noexcept { return chunks_[i >> ChunkBits][i & (chunk_size - 1)]; }
    const T& operator[](std::size_t i) const noexcept { return chunks_[i >> ChunkBits][i & (chunk_size - 1)]; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T& back() noexcept { return (*this)[size_ - 1]; }

    template <typename... Args>
    T& emplace_back(Args&&... args) {
        if ((size_ & (chunk_size - 1)) == 0 && (size_ >> ChunkBits) == chunks_.size()) {
            chunks_.push_back(std::make_unique<T[]>(chunk_size));
        }
        T& slot = (*this)[size_];
        slot = T(std::forward<Args>(args)...);
        ++size_;
        return slot;
    }
    void push_back(T&& value) { emplace_back(std::move(value)); }
    void push_back(const T& value) { emplace_back(value); }

    // Grows to `n` elements, the new ones value-initialised (T{}); a smaller `n` changes nothing (the
    // engine's arrays by event only grow). (A chunk is value-initialised when allocated, and no element
    // at or past size() has been written: nothing shrinks but clear(), which drops the chunks.)
    void grow_to(std::size_t n) {
        if (n <= size_) return;
        const std::size_t chunks = (n + chunk_size - 1) >> ChunkBits;
        while (chunks_.size() < chunks) chunks_.push_back(std::make_unique<T[]>(chunk_size));
        size_ = n;
    }
    // `n` elements equal to `value`.
    void assign(std::size_t n, const T& value) {
        clear();
        grow_to(n);
        for (std::size_t i = 0; i < n; ++i) (*this)[i] = value;
    }
    void clear() noexcept {
        chunks_.clear();
        size_ = 0;
    }

    // The bytes of the chunks (whole, as allocated) and of the chunk table.
    std::size_t memory_bytes() const noexcept {
        return chunks_.capacity() * sizeof(chunks_[0]) + chunks_.size() * chunk_size * sizeof(T);
    }

    // f(element) for every element, in order.
    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < size_; ++i) f((*this)[i]);
    }

private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
};

}  // namespace routing_core

// A growable array in fixed-size chunks: elements never move once added, and growing never copies
// what is there. A std::vector of a few million large elements doubles by allocating a second buffer
// and moving everything into it: the peak memory of that moment is twice the array, and the move is a
// pause of its own. Indexing is one shift, one mask and two loads; the chunk table stays small (one
// pointer per chunk) and in cache.
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
    // `n` default-constructed elements.
    explicit ChunkedVector(std::size_t n) {
        while (size_ < n) emplace_back();
    }

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

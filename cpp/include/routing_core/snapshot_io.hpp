// Binary writer and reader for engine snapshots: little-endian fixed-width integers and doubles,
// length-prefixed strings and vectors, a running 64-bit checksum of every byte, and an atomic write
// (temporary file, fsync, rename, fsync of the directory). The reader checks every length against the
// bytes left before it allocates, so a truncated or corrupt file is an Error, never a crash or a huge
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "routing_core/error.hpp"

namespace routing_core::detail {

// A fast non-cryptographic 64-bit checksum (word at a time, multiply-xorshift), fed in pieces of any
// size: it finds torn, truncated and bit-flipped files, not forgeries.
class SnapshotHasher {
public:
    void update(const void* data, std::size_t size) noexcept {
        if (size == 0) return;  // data may be null (an empty vector's)
        const auto* p = static_cast<const unsigned char*>(data);
        total_ += size;
        if (carry_size_ > 0) {
            const std::size_t take = size < 8 - carry_size_ ? size : 8 - carry_size_;
            std::memcpy(carry_ + carry_size_, p, take);
            carry_size_ += take;
            p += take;
            size -= take;
            if (carry_size_ < 8) return;
            mix(load(carry_));
            carry_size_ = 0;
        }
        for (; size >= 8; p += 8, size -= 8) mix(load(p));
        std::memcpy(carry_, p, size);
        carry_size_ = size;
    }
    std::uint64_t digest() const noexcept {
        SnapshotHasher h = *this;
        unsigned char last[8] = {};
        std::memcpy(last, h.carry_, h.carry_size_);
        h.mix(load(last));
        h.mix(h.total_);
        std::uint64_t x = h.state_;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53ull;
        x ^= x >> 33;
        return x;
    }

private:
    static std::uint64_t load(const unsigned char* p) noexcept {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    void mix(std::uint64_t word) noexcept {
        state_ = (state_ ^ word) * 0x9e3779b97f4a7c15ull;
        state_ ^= state_ >> 29;
    }
    std::uint64_t state_ = 0x726f7574696e6763ull;
    std::uint64_t total_ = 0;
    unsigned char carry_[8] = {};
    std::size_t carry_size_ = 0;
};

// Closes a C file when its owner goes, a constructor that throws included (a member's destructor runs
// then, the owner's own does not).
struct FileCloser {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Writes `path` atomically: everything goes to `path`.tmp, and commit() syncs it and renames it over
// `path`. Destroyed without commit (an exception on the way), it removes the temporary file.
class SnapshotWriter {
public:
    explicit SnapshotWriter(std::string path);
    ~SnapshotWriter();
    SnapshotWriter(const SnapshotWriter&) = delete;
    SnapshotWriter& operator=(const SnapshotWriter&) = delete;

    void bytes(const void* data, std::size_t size) {
        if (size == 0) return;  // data may be null (an empty vector's)
        hasher_.update(data, size);
        if (buffer_.size() + size > buffer_limit) flush();
        if (size > buffer_limit) {
            write_out(data, size);
        } else {
            buffer_.append(static_cast<const char*>(data), size);
        }
    }
    template <class T>
    void value(T v) {
        static_assert(std::is_arithmetic_v<T>, "fixed-width values only");
        bytes(&v, sizeof v);
    }
    void u8(std::uint8_t v) { value(v); }
    void u32(std::uint32_t v) { value(v); }
    void i32(std::int32_t v) { value(v); }
    void u64(std::uint64_t v) { value(v); }
    void i64(std::int64_t v) { value(v); }
    void f64(double v) { value(v); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void string(std::string_view s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    void count(std::size_t n) { u64(n); }
    template <class T>
    void optional(const std::optional<T>& v) {
        boolean(v.has_value());
        if (v) value(*v);
    }
    template <class T>
    void pod_vector(const std::vector<T>& v) {
        pod_array(v.data(), v.size());
    }
    // The same bytes as pod_vector: a count, then the values.
    template <class T>
    void pod_array(const T* values, std::size_t n) {
        static_assert(std::is_arithmetic_v<T>, "fixed-width values only");
        count(n);
        bytes(values, n * sizeof(T));
    }
    void strings(const std::vector<std::string>& v) {
        count(v.size());
        for (const std::string& s : v) string(s);
    }
    // Appends the checksum of everything written so far, syncs, renames into place, syncs the directory.
    void commit();

private:
    static constexpr std::size_t buffer_limit = 1 << 20;
    void flush();
    void write_out(const void* data, std::size_t size);
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    std::string temp_path_;
    FilePtr file_;
    std::string buffer_;
    SnapshotHasher hasher_;
    bool committed_ = false;
};

// Reads a snapshot written by SnapshotWriter. The checksum covers the whole payload; finish() checks it
// and that nothing is left over. Every read past the payload's end throws Error("... truncated ...").
class SnapshotReader {
public:
    explicit SnapshotReader(std::string path);
    ~SnapshotReader();
    SnapshotReader(const SnapshotReader&) = delete;
    SnapshotReader& operator=(const SnapshotReader&) = delete;

    void bytes(void* out, std::size_t size);
    template <class T>
    T value() {
        static_assert(std::is_arithmetic_v<T>, "fixed-width values only");
        T v;
        bytes(&v, sizeof v);
        return v;
    }
    std::uint8_t u8() { return value<std::uint8_t>(); }
    std::uint32_t u32() { return value<std::uint32_t>(); }
    std::int32_t i32() { return value<std::int32_t>(); }
    std::uint64_t u64() { return value<std::uint64_t>(); }
    std::int64_t i64() { return value<std::int64_t>(); }
    double f64() { return value<double>(); }
    bool boolean();
    std::string string() {
        const std::size_t n = count(1, "string");
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    // A count of items each at least `min_item_bytes` long: refused when they cannot fit in what is left.
    std::size_t count(std::size_t min_item_bytes, const char* what);
    template <class T>
    std::optional<T> optional() {
        if (!boolean()) return std::nullopt;
        return value<T>();
    }
    template <class T>
    std::vector<T> pod_vector(const char* what) {
        static_assert(std::is_arithmetic_v<T>, "fixed-width values only");
        std::vector<T> v(count(sizeof(T), what));
        bytes(v.data(), v.size() * sizeof(T));
        return v;
    }
    std::vector<std::string> strings(const char* what) {
        std::vector<std::string> v(count(8, what));
        for (std::string& s : v) s = string();
        return v;
    }
    // Checks that the payload was read to its end and that the checksum matches.
    void finish();
    [[noreturn]] void fail(const std::string& what) const;

private:
    void refill();

    std::string path_;
    FilePtr file_;
    std::uint64_t payload_size_ = 0;  // file size minus the checksum
    std::uint64_t consumed_ = 0;      // payload bytes handed out
    std::uint64_t loaded_ = 0;        // payload bytes read from the file
    std::vector<char> buffer_;
    std::size_t buffer_pos_ = 0;
    SnapshotHasher hasher_;
};

}  // namespace routing_core::detail

// Engine snapshots: the whole mutable state of an Engine in one file, so that a restart loads it and
// replays only the journal written after it.
//
// Layout (all integers little-endian, fixed width; strings and vectors are a u64 count then the items):
//   magic "RCSNAPSH", u32 format version, u32 byte-order mark, engine version string,
//   u64 fingerprint of the configuration (rules, gazetteer units, match parameters, limits, sources),
//   then one tagged section per member: events, event ids, receipts, candidate index,
//   deadline heap, open-event count, purge state; then a u64 checksum of every byte before it.
//
// Everything is written verbatim, in the containers' own order where order matters: the candidate
// index's posting lists (read newest first: their order decides which candidates a bounded lookup sees)
// and the deadline heap's array (equal deadlines escalate in heap order). Each field of EventState,
// Receipt and Address is written on its own line, so a new field is one line in each of write_* and
// read_* below, plus a format_version bump.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "routing_core/snapshot_io.hpp"
#include "routing_core/utf16.hpp"

#ifndef ROUTING_CORE_VERSION
#define ROUTING_CORE_VERSION "unversioned"  // builds outside the main CMakeLists (the fuzz build)
#endif

namespace routing_core {
namespace detail {

// ---------------------------------------------------------------------------------------------------
// SnapshotWriter

SnapshotWriter::SnapshotWriter(std::string path) : path_(std::move(path)), temp_path_(path_ + ".tmp") {
    file_.reset(std::fopen(temp_path_.c_str(), "wb"));
    if (file_ == nullptr) fail("cannot create " + temp_path_ + ": " + std::strerror(errno));
    buffer_.reserve(buffer_limit);
}

SnapshotWriter::~SnapshotWriter() {
    file_.reset();  // closed before the temporary file goes
    if (!committed_) std::remove(temp_path_.c_str());
}

void SnapshotWriter::fail(const std::string& what) const {
    throw Error("snapshot " + path_ + ": " + what);
}

void SnapshotWriter::write_out(const void* data, std::size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, file_.get()) != size) {
        fail("write failed: " + std::string(std::strerror(errno)));
    }
}

void SnapshotWriter::flush() {
    write_out(buffer_.data(), buffer_.size());
    buffer_.clear();
}

void SnapshotWriter::commit() {
    const std::uint64_t checksum = hasher_.digest();
    flush();
    write_out(&checksum, sizeof checksum);
    if (std::fflush(file_.get()) != 0) fail("write failed: " + std::string(std::strerror(errno)));
    if (::fsync(::fileno(file_.get())) != 0) fail("fsync failed: " + std::string(std::strerror(errno)));
    const int closed = std::fclose(file_.release());
    if (closed != 0) fail("close failed: " + std::string(std::strerror(errno)));
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
        fail("cannot rename " + temp_path_ + ": " + std::strerror(errno));
    }
    committed_ = true;
    // The rename is durable once the directory is synced.
    const std::size_t slash = path_.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
    const int fd = ::open(dir.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// ---------------------------------------------------------------------------------------------------
// SnapshotReader

SnapshotReader::SnapshotReader(std::string path) : path_(std::move(path)) {
    file_.reset(std::fopen(path_.c_str(), "rb"));
    if (file_ == nullptr) fail(std::string("cannot open: ") + std::strerror(errno));
    if (std::fseek(file_.get(), 0, SEEK_END) != 0) fail("cannot seek");
    const long size = std::ftell(file_.get());
    if (size < 0) fail("cannot tell its size");
    std::rewind(file_.get());
    if (static_cast<std::uint64_t>(size) < sizeof(std::uint64_t)) fail("truncated: shorter than its checksum");
    payload_size_ = static_cast<std::uint64_t>(size) - sizeof(std::uint64_t);
}

SnapshotReader::~SnapshotReader() = default;  // file_ closes the file

void SnapshotReader::fail(const std::string& what) const {
    throw Error("snapshot " + path_ + ": " + what);
}

void SnapshotReader::refill() {
    const std::uint64_t left = payload_size_ - loaded_;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, 1 << 20));
    buffer_.resize(n);
    buffer_pos_ = 0;
    if (n > 0 && std::fread(buffer_.data(), 1, n, file_.get()) != n) fail("read failed");
    hasher_.update(buffer_.data(), n);
    loaded_ += n;
}

void SnapshotReader::bytes(void* out, std::size_t size) {
    if (size > payload_size_ - consumed_) {
        fail("truncated or corrupt: needs " + std::to_string(size) + " more bytes at offset " +
             std::to_string(consumed_) + " of " + std::to_string(payload_size_));
    }
    auto* dst = static_cast<char*>(out);
    while (size > 0) {
        if (buffer_pos_ == buffer_.size()) refill();
        const std::size_t n = std::min(size, buffer_.size() - buffer_pos_);
        std::memcpy(dst, buffer_.data() + buffer_pos_, n);
        buffer_pos_ += n;
        dst += n;
        size -= n;
        consumed_ += n;
    }
}

bool SnapshotReader::boolean() {
    const std::uint8_t v = u8();
    if (v > 1) fail("corrupt: a boolean reads " + std::to_string(v) + " at offset " + std::to_string(consumed_ - 1));
    return v == 1;
}

std::size_t SnapshotReader::count(std::size_t min_item_bytes, const char* what) {
    const std::uint64_t n = u64();
    const std::uint64_t left = payload_size_ - consumed_;
    if (min_item_bytes > 0 && n > left / min_item_bytes) {
        fail(std::string("truncated or corrupt: ") + what + " count " + std::to_string(n) + " does not fit in the " +
             std::to_string(left) + " bytes left");
    }
    return static_cast<std::size_t>(n);
}

void SnapshotReader::finish() {
    if (consumed_ != payload_size_) {
        fail("corrupt: " + std::to_string(payload_size_ - consumed_) + " unread bytes after the state");
    }
    std::uint64_t stored = 0;
    if (std::fread(&stored, 1, sizeof stored, file_.get()) != sizeof stored) fail("truncated: no checksum");
    if (stored != hasher_.digest()) fail("corrupt: checksum mismatch");
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------
// The configuration fingerprint: what decides how the state is to be read. Everything the engine's
// configuration exposes goes in; gazetteer aliases and the work calendar's days are not reachable from
// here (the Python store also checks a digest of the configuration files, aliases included).

namespace {

using detail::SnapshotHasher;
using detail::SnapshotReader;
using detail::SnapshotWriter;

constexpr char snapshot_magic[8] = {'R', 'C', 'S', 'N', 'A', 'P', 'S', 'H'};
constexpr std::uint32_t format_version = 8;  // 7: geo cells among the address postings, event wording; 8: the purge's sweep
constexpr std::uint32_t byte_order_mark = 0x01020304;

class Fingerprint {
public:
    template <class T>
    void value(T v) {
        static_assert(std::is_arithmetic_v<T>, "fixed-width values only");
        h_.update(&v, sizeof v);
    }
    void string(const std::string& s) {
        value<std::uint64_t>(s.size());
        h_.update(s.data(), s.size());
    }
    void strings(const std::vector<std::string>& v) {
        value<std::uint64_t>(v.size());
        for (const auto& s : v) string(s);
    }
    template <class T>
    void values(const std::vector<T>& v) {
        value<std::uint64_t>(v.size());
        for (T x : v) value(x);
    }
    template <class T>
    void optional(const std::optional<T>& v) {
        value<std::uint8_t>(v ? 1 : 0);
        if (v) value(*v);
    }
    void level(Level l) { value<std::uint8_t>(static_cast<std::uint8_t>(l)); }
    void curve(const Curve& c) {
        values(c.x);
        values(c.y);
    }
    std::uint64_t digest() const noexcept { return h_.digest(); }

private:
    SnapshotHasher h_;
};

std::uint64_t config_fingerprint(const Gazetteer& gazetteer, const RuleSet& rules, const EngineConfig& config) {
    Fingerprint f;
    const MatchParams& m = config.match;
    for (double w : m.weights()) f.value(w);
    for (double v : {m.time_scale_hours, m.proximity_scale_m, m.duplicate_threshold, m.review_threshold,
                     m.recurrence_threshold, m.window_hours, m.recurrence_days}) {
        f.value(v);
    }
    for (const auto& named : m.curves()) f.curve(*named.second);
    f.value<std::uint64_t>(m.lookup.postings_per_key);
    f.value<std::uint64_t>(m.lookup.rare_shingles);
    f.value<std::uint64_t>(m.lookup.max_candidates);
    f.value<std::uint64_t>(m.lookup.max_scored);
    f.value<std::uint64_t>(m.lookup.max_closed);
    const Limits& l = config.limits;
    for (std::size_t v : {l.max_id_bytes, l.max_text_bytes, l.max_address_bytes, l.max_source_bytes}) {
        f.value<std::uint64_t>(v);
    }
    f.strings(config.sources);

    f.value<std::uint64_t>(rules.platform_count());
    for (std::uint32_t p = 0; p < rules.platform_count(); ++p) {
        f.string(rules.platform_code(p));
        f.string(rules.platform_label(p));
    }
    f.value<std::uint64_t>(rules.category_count());
    for (std::uint32_t c = 0; c < rules.category_count(); ++c) {
        const CategoryRule& r = rules.category(c);
        f.string(r.code);
        f.string(r.label);
        f.value(r.platform);
        f.values(r.co_platforms);
        f.level(r.level);
        f.value(r.deadline_hours);
        f.value<std::uint8_t>(r.working_time);
    }
    f.value<std::uint64_t>(rules.terms().size());
    for (const Term& t : rules.terms()) {
        f.string(t.text);
        f.value(t.category);
        f.value(t.weight);
    }
    f.value<std::uint64_t>(rules.channel_hints().size());
    for (const ChannelHint& h : rules.channel_hints()) {
        f.string(h.channel);
        f.value(h.category);
        f.value(h.weight);
    }
    f.value<std::uint64_t>(rules.routing_rules().size());
    for (const RoutingRule& r : rules.routing_rules()) {
        f.string(r.id);
        f.value(r.priority);
        f.strings(r.terms);
        f.strings(r.channels);
        f.values(r.categories);
        f.value(r.min_reports);
        f.value(r.min_recurrences);
        f.value<std::uint8_t>(r.min_level ? 1 : 0);
        if (r.min_level) f.level(*r.min_level);
        f.optional(r.deadline_hours);
        f.value(r.platform);
        f.values(r.co_platforms);
    }
    for (std::size_t i = 0; i < level_count; ++i) f.value(rules.level_hours(static_cast<Level>(i)));
    f.value(rules.fallback_category());
    for (const NegationSpec* n : {&rules.classification_negation(), &rules.rule_negation()}) {
        f.strings(n->cues);
        f.value(n->window);
    }
    f.value<std::uint8_t>(rules.calendar().configured());

    f.value<std::uint64_t>(gazetteer.size());
    for (std::uint32_t u = 0; u < gazetteer.size(); ++u) {
        const Unit& unit = gazetteer.unit(u);
        f.string(unit.code);
        f.level(unit.level);
        f.value(unit.parent);
        f.string(unit.name);
        f.value<std::uint8_t>(unit.centroid ? 1 : 0);
        if (unit.centroid) {
            f.value(unit.centroid->first);
            f.value(unit.centroid->second);
        }
    }
    f.value(gazetteer.city());
    return f.digest();
}

// Section tags: a misplaced section (a reader out of step with the writer) fails at once, by name.
enum class Section : std::uint32_t {
    events = 0x53545645,          // "EVTS"
    event_ids = 0x44495645,       // "EVID"
    receipts = 0x50434552,        // "RECP"
    index = 0x58444e49,           // "INDX"
    deadlines = 0x4e444c44,       // "DLDN"
    open_events = 0x4e45504f,     // "OPEN"
    purge = 0x45475250,           // "PRGE"
};

void write_section(SnapshotWriter& w, Section s) { w.u32(static_cast<std::uint32_t>(s)); }

void read_section(SnapshotReader& r, Section s, const char* name) {
    if (r.u32() != static_cast<std::uint32_t>(s)) r.fail(std::string("corrupt: section '") + name + "' not found");
}

void write_level(SnapshotWriter& w, Level l) { w.u8(static_cast<std::uint8_t>(l)); }

Level read_level(SnapshotReader& r) {
    const std::uint8_t v = r.u8();
    if (v >= level_count) r.fail("corrupt: level " + std::to_string(v));
    return static_cast<Level>(v);
}

// Bounds of the indices a snapshot may hold, checked on load so that a corrupt file cannot make the
// engine index out of range later.
struct Bounds {
    std::size_t events;
    std::size_t units;
    std::size_t categories;
    std::size_t platforms;
    std::size_t sources;
    std::size_t step_rules;
    std::size_t wording;  // code points in an event's wording
};

void check_index(SnapshotReader& r, std::int64_t v, std::size_t size, bool may_be_none, const char* what) {
    if ((may_be_none && v == -1) || (v >= 0 && static_cast<std::uint64_t>(v) < size)) return;
    r.fail("corrupt: " + std::string(what) + " " + std::to_string(v) + " out of range (" + std::to_string(size) + ")");
}

// --- Address -----------------------------------------------------------------------------------------

void write_address(SnapshotWriter& w, const Address& a) {
    w.string(a.normalised);
    for (std::int32_t u : a.units) w.i32(u);
    w.string(a.road);
    w.string(a.number);
    w.string(a.compound);
    w.string(a.building);
    w.string(a.unit);
    w.string(a.room);
    w.string(a.remainder);
    w.strings(a.ambiguities);
    w.f64(a.confidence);
    w.optional(a.lat);
    w.optional(a.lon);
    w.boolean(a.placed_by_coordinates);
}

Address read_address(SnapshotReader& r, const Bounds& b) {
    Address a;
    a.normalised = r.string();
    for (std::int32_t& u : a.units) {
        u = r.i32();
        check_index(r, u, b.units, true, "address unit");
    }
    a.road = r.string();
    a.number = r.string();
    a.compound = r.string();
    a.building = r.string();
    a.unit = r.string();
    a.room = r.string();
    a.remainder = r.string();
    a.ambiguities = r.strings("address ambiguities");
    a.confidence = r.f64();
    a.lat = r.optional<double>();
    a.lon = r.optional<double>();
    a.placed_by_coordinates = r.boolean();
    return a;
}

// --- EventStep ---------------------------------------------------------------------------------------

// (Templates: the stored step is private to Engine.) `kinds` is the number of step kinds.
template <class S>
void write_step(SnapshotWriter& w, const S& s) {
    w.i64(s.time);
    w.u8(static_cast<std::uint8_t>(s.kind));
    write_level(w, s.level);
    w.i32(s.unit);
    w.u32(s.rule);
    w.u32(s.report);
}

template <class S>
S read_step(SnapshotReader& r, const Bounds& b, std::size_t reports, std::uint32_t no_report, std::uint8_t kinds) {
    S s;
    s.time = r.i64();
    const std::uint8_t kind = r.u8();
    if (kind >= kinds) r.fail("corrupt: step kind " + std::to_string(kind));
    s.kind = static_cast<decltype(s.kind)>(kind);
    s.level = read_level(r);
    s.unit = r.i32();
    check_index(r, s.unit, b.units, false, "step unit");
    s.rule = r.u32();
    check_index(r, s.rule, b.step_rules, false, "step rule");
    s.report = r.u32();
    if (s.report != no_report) check_index(r, s.report, reports, false, "step report");
    return s;
}

// --- EventState (a template: the type is private to Engine) ------------------------------------------

// What an event's record refers to outside it: the engine's report ids, their channels and the
// resolution texts.
struct EventTables {
    const StringTable& report_ids;
    const ChunkedVector<std::uint8_t>& report_sources;
    const StringTable& resolutions;
};

// The event at `index`. Its record keeps format 7's layout, where each event held its id, its
// reports' ids and channels, its co-platforms as a list and its resolution text.
template <class E>
void write_event(SnapshotWriter& w, const E& ev, std::size_t index, const EventTables& t) {
    w.string(event_id_at(index));
    w.count(ev.reports.size());
    for (std::size_t k = 0; k < ev.reports.size(); ++k) w.string(t.report_ids[ev.reports[k]]);
    w.count(ev.reports.size());
    for (std::size_t k = 0; k < ev.reports.size(); ++k) w.u8(t.report_sources[ev.reports[k]]);
    w.u32(ev.category);
    w.boolean(ev.category_known);
    w.u32(ev.platform);
    std::vector<std::uint32_t> co_platforms;
    for (std::uint32_t p = 0; p < 32; ++p) {
        if (ev.co_platforms & (1u << p)) co_platforms.push_back(p);
    }
    w.pod_vector(co_platforms);
    w.u32(ev.recurrences);
    write_level(w, ev.level);
    w.i32(ev.unit);
    w.i64(ev.opened);
    w.i64(ev.last_report);
    w.i64(ev.deadline);
    w.optional(ev.closed);
    w.string(t.resolutions[ev.resolution]);
    w.i32(ev.recurrence_of);
    w.boolean(ev.match != nullptr);  // null once purged
    if (ev.match) {
        const auto& m = *ev.match;
        write_address(w, m.address);
        const auto write_shingles = [&w](ShingleSpan s) { w.pod_array(s.data(), s.size()); };
        for (const auto run : {&EventShingles::text, &EventShingles::place}) {  // all texts, then all places
            w.count(m.said.texts());
            for (std::size_t k = 0; k < m.said.texts(); ++k) write_shingles((m.said.*run)(k));
        }
        write_shingles(m.said.vocabulary());
        std::vector<char32_t> words(m.wording.size());  // as UTF-32, as format 7 has it
        words.resize(utf16::decode(m.wording, words.data()));
        w.pod_vector(words);
    } else {
        // A purged event's texts, places, vocabulary and wording: all empty.
        w.count(0);
        w.count(0);
        w.count(0);
        w.count(0);
    }
    w.count(ev.history.size());
    for (const auto& s : ev.history) write_step(w, s);
    w.u32(ev.deadline_version);
}

// What reading the events builds besides them: report ids numbered in the order the events list them
// (load_snapshot renumbers them in arrival order from the receipts), their channels, and the
// resolution texts.
struct EventTablesRead {
    StringTable report_ids;
    ChunkedVector<std::uint8_t> report_sources;
    StringTable resolutions;
};

template <class E, class MatchData>
void read_event(SnapshotReader& r, E& ev, std::size_t index, const Bounds& b, EventTablesRead& t,
                std::uint32_t no_report, std::uint8_t step_kinds) {
    if (r.string() != event_id_at(index)) r.fail("corrupt: event " + std::to_string(index) + " has another id");
    const std::vector<std::string> report_ids = r.strings("event report ids");
    const std::vector<std::uint8_t> sources = r.pod_vector<std::uint8_t>("event sources");
    if (sources.size() != report_ids.size()) r.fail("corrupt: an event's sources do not match its reports");
    for (std::size_t k = 0; k < report_ids.size(); ++k) {
        check_index(r, sources[k], b.sources, false, "event source");
        const std::size_t known = t.report_ids.size();
        const std::uint32_t number = t.report_ids.intern(report_ids[k]);
        if (number != known) r.fail("corrupt: report " + excerpt(report_ids[k]) + " belongs to two events");
        t.report_sources.push_back(sources[k]);
        ev.reports.push_back(number);
    }
    ev.category = r.u32();
    check_index(r, ev.category, b.categories, false, "event category");
    ev.category_known = r.boolean();
    ev.platform = r.u32();
    check_index(r, ev.platform, b.platforms, false, "event platform");
    ev.co_platforms = 0;
    for (std::uint32_t p : r.pod_vector<std::uint32_t>("event co-platforms")) {
        check_index(r, p, std::min<std::size_t>(b.platforms, 32), false, "event co-platform");
        ev.co_platforms |= 1u << p;
    }
    ev.recurrences = r.u32();
    ev.level = read_level(r);
    ev.unit = r.i32();
    check_index(r, ev.unit, b.units, false, "event unit");
    ev.opened = r.i64();
    ev.last_report = r.i64();
    ev.deadline = r.i64();
    ev.closed = r.optional<std::int64_t>();
    ev.resolution = t.resolutions.intern(r.string());
    ev.recurrence_of = r.i32();
    check_index(r, ev.recurrence_of, b.events, true, "event recurrence_of");
    MatchData m;
    const bool has_address = r.boolean();
    if (has_address) m.address = read_address(r, b);
    std::vector<std::vector<Shingle>> texts(r.count(8, "event texts"));
    for (auto& s : texts) s = r.pod_vector<Shingle>("event text shingles");
    std::vector<std::vector<Shingle>> places(r.count(8, "event places"));
    for (auto& p : places) p = r.pod_vector<Shingle>("event place shingles");
    const std::vector<Shingle> vocabulary = r.pod_vector<Shingle>("event vocabulary");
    const std::vector<char32_t> wording = r.pod_vector<char32_t>("event wording");
    if (wording.size() > b.wording || !std::all_of(wording.begin(), wording.end(), utf16::is_scalar)) {
        r.fail("corrupt: event " + std::to_string(index) + " has a wording of " + std::to_string(wording.size()) +
               " code points, or one that is not a character");
    }
    m.wording = utf16::encode(std::u32string_view(wording.data(), wording.size()));
    // The engine keeps an event's match data whole or not at all (the purge drops all of it).
    const bool purged = texts.empty() && places.empty() && vocabulary.empty() && wording.empty();
    if (has_address == purged) r.fail("corrupt: event " + std::to_string(index) + " has half its match data");
    try {
        m.said = EventShingles(texts, places, vocabulary);
    } catch (const std::invalid_argument& e) {
        r.fail("corrupt: event " + std::to_string(index) + " has " + e.what());
    }
    if (has_address) ev.match = std::make_unique<MatchData>(std::move(m));
    ev.history.resize(r.count(8, "event history"));
    using Step = typename decltype(ev.history)::value_type;
    for (Step& s : ev.history) s = read_step<Step>(r, b, ev.reports.size(), no_report, step_kinds);
    ev.deadline_version = r.u32();
}

// --- Receipt -----------------------------------------------------------------------------------------

template <class R>
void write_receipt(SnapshotWriter& w, const R& rc) {
    w.u64(rc.fingerprint);
    const CompactDecision& d = rc.decision;
    w.i64(d.deadline);
    w.f64(d.score);
    w.f64(d.category_confidence);
    w.u32(d.event);
    w.u32(d.category);
    w.u32(d.platform);
    w.u32(d.co_platforms);
    w.i32(d.unit);
    w.i32(d.recurrence_of);
    w.i32(d.review_event);
    write_level(w, d.level);
    w.boolean(d.is_new);
    w.boolean(d.category_from_hint);
    w.boolean(d.needs_review);
}

template <class R>
void read_receipt(SnapshotReader& r, R& rc, const Bounds& b) {
    rc.fingerprint = r.u64();
    CompactDecision& d = rc.decision;
    d.deadline = r.i64();
    d.score = r.f64();
    d.category_confidence = r.f64();
    d.event = r.u32();
    check_index(r, d.event, b.events, false, "receipt event");
    d.category = r.u32();
    check_index(r, d.category, b.categories, false, "receipt category");
    d.platform = r.u32();
    check_index(r, d.platform, b.platforms, false, "receipt platform");
    d.co_platforms = r.u32();
    d.unit = r.i32();
    check_index(r, d.unit, b.units, false, "receipt unit");
    d.recurrence_of = r.i32();
    check_index(r, d.recurrence_of, b.events, true, "receipt recurrence_of");
    d.review_event = r.i32();
    check_index(r, d.review_event, b.events, true, "receipt review_event");
    d.level = read_level(r);
    d.is_new = r.boolean();
    d.category_from_hint = r.boolean();
    d.needs_review = r.boolean();
}

// --- event ids --------------------------------------------------------------------------------------

// Format 7 keeps a map from each event id to its index; the ids are event_id_at(index), so the map is
// written from the indices and checked against them on load.
void write_event_ids(SnapshotWriter& w, std::size_t events) {
    w.count(events);
    for (std::size_t i = 0; i < events; ++i) {
        w.string(event_id_at(i));
        w.u32(static_cast<std::uint32_t>(i));
    }
}

void check_event_ids(SnapshotReader& r, const Bounds& b) {
    const std::size_t n = r.count(12, "event ids");
    if (n != b.events) r.fail("corrupt: " + std::to_string(n) + " event ids for " + std::to_string(b.events) + " events");
    std::vector<bool> seen(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string key = r.string();
        const std::uint32_t event = r.u32();
        check_index(r, event, b.events, false, "event ids");
        if (seen[event] || key != event_id_at(event)) r.fail("corrupt: event id " + excerpt(key) + " for event " + std::to_string(event));
        seen[event] = true;
    }
}

// Access to std::priority_queue's protected container: the heap array is written and restored as is
// (rebuilding it with make_heap could reorder entries with equal deadlines).
template <class Queue>
struct HeapAccess : Queue {
    static const typename Queue::container_type& of(const Queue& q) { return q.*(&HeapAccess::c); }
    static typename Queue::container_type& of(Queue& q) { return q.*(&HeapAccess::c); }
};

}  // namespace

// The candidate index's private postings, verbatim: each key with its list in stored order.
struct CandidateIndexSnapshot {
    static void write_postings(SnapshotWriter& w, const PostingTable& postings) {
        w.count(postings.size());
        postings.for_each([&](std::uint64_t key, const PostingTable::List& events) {
            w.u64(key);
            w.pod_vector(events);
        });
    }
    static PostingTable read_postings(SnapshotReader& r, const Bounds& b, const char* what) {
        PostingTable postings;
        const std::size_t n = r.count(16, what);
        postings.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t key = r.u64();
            std::vector<std::uint32_t> events = r.pod_vector<std::uint32_t>(what);
            for (std::uint32_t e : events) check_index(r, e, b.events, false, what);
            if (!postings.insert(key, std::move(events))) r.fail(std::string("corrupt: duplicate key in ") + what);
        }
        return postings;
    }
    static void write(SnapshotWriter& w, const CandidateIndex& index) {
        write_postings(w, index.address_postings_);
        write_postings(w, index.text_postings_);
        w.u64(index.documents_);
    }
    static CandidateIndex read(SnapshotReader& r, const Bounds& b) {
        CandidateIndex index;
        index.address_postings_ = read_postings(r, b, "address postings");
        index.text_postings_ = read_postings(r, b, "text postings");
        index.documents_ = static_cast<std::size_t>(r.u64());
        // Document frequencies and posting counts are the posting lists' sizes: derived, not stored.
        index.text_postings_.for_each([&](Shingle shingle, const PostingTable::List& list) {
            index.text_counts_.increment(shingle, static_cast<std::uint32_t>(list.size()));
            index.text_entries_ += list.size();
        });
        index.address_postings_.for_each(
            [&](std::uint64_t, const PostingTable::List& list) { index.address_entries_ += list.size(); });
        return index;
    }
};

void Engine::save_snapshot(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mutex_);
    SnapshotWriter w(path);
    w.bytes(snapshot_magic, sizeof snapshot_magic);
    w.u32(format_version);
    w.u32(byte_order_mark);
    w.string(ROUTING_CORE_VERSION);
    w.u64(config_fingerprint(*gazetteer_, *rules_, config_));

    write_section(w, Section::events);
    w.strings(step_rules_);
    w.count(events_.size());
    const EventTables tables{report_ids_, report_sources_, resolutions_};
    for (std::size_t i = 0; i < events_.size(); ++i) write_event(w, events_[i], i, tables);
    write_section(w, Section::event_ids);
    write_event_ids(w, events_.size());
    write_section(w, Section::receipts);
    // In arrival order (the reports' numbers), which load_snapshot restores.
    w.count(receipts_.size());
    for (std::uint32_t n = 0; n < receipts_.size(); ++n) {
        w.string(report_ids_[n]);
        write_receipt(w, receipts_[n]);
    }
    write_section(w, Section::index);
    CandidateIndexSnapshot::write(w, index_);
    write_section(w, Section::deadlines);
    const auto& heap = HeapAccess<decltype(deadlines_)>::of(deadlines_);
    w.count(heap.size());
    for (const DeadlineEntry& d : heap) {
        w.i64(d.deadline);
        w.u32(d.event);
        w.u32(d.version);
    }
    write_section(w, Section::open_events);
    w.u64(open_events_);
    write_section(w, Section::purge);
    w.u32(purge_.phase);
    w.u64(purge_.at.list);
    w.u64(purge_.at.offset);
    w.u64(purge_.at.end);
    w.i64(purge_.credit);
    w.u64(purged_events_);
    w.commit();
}

void Engine::load_snapshot(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!events_.empty() || !receipts_.empty() || index_.documents() != 0 || !deadlines_.empty()) {
        throw Error("snapshot " + path + ": cannot load into an engine that has already accepted reports; "
                    "load snapshots into a new engine");
    }
    SnapshotReader r(path);
    char magic[sizeof snapshot_magic];
    r.bytes(magic, sizeof magic);
    if (std::memcmp(magic, snapshot_magic, sizeof magic) != 0) r.fail("not a routing_core snapshot (bad magic)");
    const std::uint32_t version = r.u32();
    if (version != format_version) {
        r.fail("format version " + std::to_string(version) + ", this engine reads version " +
               std::to_string(format_version));
    }
    if (r.u32() != byte_order_mark) r.fail("written on a machine of another byte order");
    const std::string engine_version = r.string();
    if (engine_version != ROUTING_CORE_VERSION) {
        r.fail("written by routing_core " + excerpt(engine_version) + ", this is " + ROUTING_CORE_VERSION);
    }
    if (r.u64() != config_fingerprint(*gazetteer_, *rules_, config_)) {
        r.fail("taken under another configuration (rules, gazetteer, match parameters, limits or sources)");
    }

    // Everything is read into locals first: the engine changes only once the whole file checked out.
    read_section(r, Section::events, "events");
    decltype(step_rules_) step_rules = r.strings("step rules");
    decltype(step_rule_index_) step_rule_index;
    for (std::uint32_t i = 0; i < step_rules.size(); ++i) {
        if (!step_rule_index.emplace(step_rules[i], i).second) r.fail("corrupt: duplicate step rule");
    }
    if (step_rules.empty() || !step_rules[0].empty()) r.fail("corrupt: step rules do not start with the empty one");
    decltype(events_) events(r.count(64, "events"));
    const Bounds bounds{events.size(),           gazetteer_->size(),      rules_->category_count(),
                        rules_->platform_count(), config_.sources.size(), step_rules.size(),
                        wording_code_points};
    constexpr auto step_kinds = static_cast<std::uint8_t>(StepKind::closed) + 1;
    EventTablesRead tables;
    tables.resolutions.intern({});
    for (std::size_t i = 0; i < events.size(); ++i) {
        read_event<EventState, MatchData>(r, events[i], i, bounds, tables, no_report, step_kinds);
    }
    read_section(r, Section::event_ids, "event ids");
    check_event_ids(r, bounds);
    read_section(r, Section::receipts, "receipts");
    // One receipt for each report the events list, in arrival order: the reports are renumbered in it.
    const std::size_t reports = tables.report_ids.size();
    const std::size_t receipt_count = r.count(16, "receipts");
    if (receipt_count != reports) {
        r.fail("corrupt: " + std::to_string(receipt_count) + " receipts for " + std::to_string(reports) + " reports");
    }
    StringTable report_ids;
    report_ids.reserve(reports, tables.report_ids.text_bytes());
    std::vector<std::uint32_t> number_of(reports, StringTable::none);  // by number in event order
    ChunkedVector<Receipt> receipts(reports);
    for (std::size_t n = 0; n < reports; ++n) {
        const std::string report_id = r.string();
        const std::uint32_t listed = tables.report_ids.find(report_id);
        if (listed == StringTable::none) r.fail("corrupt: a receipt for report " + excerpt(report_id) + " of no event");
        if (number_of[listed] != StringTable::none) r.fail("corrupt: two receipts for report " + excerpt(report_id));
        number_of[listed] = report_ids.intern(report_id);
        read_receipt(r, receipts[n], bounds);
    }
    ChunkedVector<std::uint8_t> report_sources(reports);
    for (std::size_t k = 0; k < reports; ++k) report_sources[number_of[k]] = tables.report_sources[k];
    for (std::size_t i = 0; i < events.size(); ++i) {
        auto& list = events[i].reports;
        if (list.size() == 0) continue;
        list.first = number_of[list.first];
        for (std::uint32_t& n : list.rest) n = number_of[n];
    }
    tables.report_ids = StringTable();
    read_section(r, Section::index, "candidate index");
    CandidateIndex index = CandidateIndexSnapshot::read(r, bounds);
    read_section(r, Section::deadlines, "deadlines");
    decltype(deadlines_) deadlines;
    auto& heap = HeapAccess<decltype(deadlines_)>::of(deadlines);
    heap.resize(r.count(16, "deadlines"));
    for (DeadlineEntry& d : heap) {
        d.deadline = r.i64();
        d.event = r.u32();
        check_index(r, d.event, bounds.events, false, "deadline event");
        d.version = r.u32();
    }
    read_section(r, Section::open_events, "open events");
    const std::uint64_t open_events = r.u64();
    if (open_events > events.size()) r.fail("corrupt: more open events than events");
    read_section(r, Section::purge, "purge");
    PurgeSweep sweep;
    sweep.phase = r.u32();
    sweep.at.list = static_cast<std::size_t>(r.u64());
    sweep.at.offset = static_cast<std::size_t>(r.u64());
    sweep.at.end = static_cast<std::size_t>(r.u64());
    sweep.credit = r.i64();
    const std::uint64_t purged_events = r.u64();
    if (purged_events > events.size()) r.fail("corrupt: more purged events than events");
    if (sweep.phase > 2) r.fail("corrupt: purge phase " + std::to_string(sweep.phase));
    const auto kind = sweep.phase == 0 ? CandidateIndex::Postings::address : CandidateIndex::Postings::text;
    const std::size_t limit = sweep.phase == 2 ? events.size() : index.lists(kind);
    const std::size_t offset_limit =
        sweep.phase < 2 && sweep.at.list < sweep.at.end && sweep.at.end <= limit ? index.list_size(kind, sweep.at.list) : 0;
    if (sweep.at.list > sweep.at.end || sweep.at.end > limit || sweep.at.offset > offset_limit) {
        r.fail("corrupt: purge at " + std::to_string(sweep.at.list) + "+" + std::to_string(sweep.at.offset) + " of " +
               std::to_string(sweep.at.end) + " (limit " + std::to_string(limit) + ")");
    }
    r.finish();

    events_ = std::move(events);
    step_rules_ = std::move(step_rules);
    step_rule_index_ = std::move(step_rule_index);
    resolutions_ = std::move(tables.resolutions);
    report_ids_ = std::move(report_ids);
    report_sources_ = std::move(report_sources);
    receipts_ = std::move(receipts);
    index_ = std::move(index);
    deadlines_ = std::move(deadlines);
    open_events_ = static_cast<std::size_t>(open_events);
    purge_ = sweep;
    purged_events_ = static_cast<std::size_t>(purged_events);
    // Derived from the events: what matching reads of each (refresh_matching), and the clock (the latest
    // report time applied).
    clock_ = 0;
    expires_.assign(events_.size(), 0);
    closed_.assign(events_.size(), 0);
    cards_.assign(events_.size(), MatchCard{});
    matchable_.clear();
    for (std::uint32_t e = 0; e < events_.size(); ++e) {
        if (events_[e].match) matchable_.push_back(e);
        refresh_matching(e);
        clock_ = std::max(clock_, events_[e].last_report);
    }
}

}  // namespace routing_core

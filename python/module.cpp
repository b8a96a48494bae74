// routing_core._core: the binding. Conversions and GIL handling only; the Pythonic API is built in
// src/routing_core/. Every call that runs the hot path releases the GIL after its arguments have been
// converted to C++ values (conversion needs the GIL; the core never touches Python objects).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>

#include "routing_core/address_similarity.hpp"
#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "routing_core/negation.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace py = pybind11;
using namespace routing_core;

namespace {

Level to_level(const std::string& code) {
    try {
        return level_from_code(code);
    } catch (const std::invalid_argument&) {
        throw ConfigError("unknown level '" + excerpt(code) + "'; expected grid, community, town, county, city or province");
    }
}

// Raises the matching exception class of routing_core.errors (imported lazily: the errors module is
// pure Python and imports nothing from here).
[[noreturn]] void raise_python(const char* cls, py::tuple args) {
    py::object type = py::module_::import("routing_core.errors").attr(cls);
    py::object exc = type(*args);
    PyErr_SetObject(type.ptr(), exc.ptr());
    throw py::error_already_set();
}

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const InvalidInput& e) {
        raise_python("InvalidReportError", py::make_tuple(e.what(), e.field(), e.value()));
    } catch (const UnknownEvent& e) {
        raise_python("UnknownEventError", py::make_tuple(e.what()));
    } catch (const ConfigError& e) {
        raise_python("ConfigError", py::make_tuple(e.what()));
    } catch (const Error& e) {
        raise_python("RoutingCoreError", py::make_tuple(e.what()));
    }
}

std::string normalise_text_utf8(const std::string& s) {
    if (utf8::find_invalid(s) != std::string::npos) throw InvalidInput("text", excerpt(s), "invalid UTF-8");
    return utf8::encode(normalise_text(utf8::decode(s)));
}

std::string normalise_address_utf8(const std::string& s) {
    if (utf8::find_invalid(s) != std::string::npos) throw InvalidInput("address", excerpt(s), "invalid UTF-8");
    return utf8::encode(normalise_address(utf8::decode(s)));
}

// What an error shows of a value that is not a str: its repr, cut; its type's name when it has no
// printable repr (an int of more than 4,300 digits: Python refuses to print it).
std::string printable(const py::handle item) {
    try {
        return excerpt(py::str(py::repr(item)).cast<std::string>());
    } catch (const py::error_already_set&) {
        return std::string("<") + Py_TYPE(item.ptr())->tp_name + ">";
    }
}

// One string column, element by element, so that a bad element is named (`texts[17]`) instead of
// pybind11's generic "incompatible function arguments".
std::vector<std::string> string_column(const py::sequence& column, const char* name, std::size_t rows,
                                       const char* as = "ids") {
    if (column.size() != rows) {
        throw InvalidInput(name, std::to_string(column.size()) + " rows",
                           "expected " + std::to_string(rows) + " rows, as " + as);
    }
    std::vector<std::string> out;
    out.reserve(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        const py::handle item = column[i];
        const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
        if (!PyUnicode_Check(item.ptr())) {
            throw InvalidInput(field, printable(item), "expected a str");
        }
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
        if (data == nullptr) {
            PyErr_Clear();
            throw InvalidInput(field, "(unencodable str)", "not valid Unicode (lone surrogate?)");
        }
        out.emplace_back(data, static_cast<std::size_t>(size));
    }
    return out;
}

using Int64Column = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using FloatColumn = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Engine::submit_compact over columns: strings converted with the GIL, the engine run without it,
// the decisions returned as one numpy array per field.
py::dict submit_columns(Engine& engine, const py::sequence& ids, const py::sequence& texts,
                        const py::sequence& addresses, const Int64Column& times, const py::sequence& sources,
                        const std::optional<py::sequence>& categories, const std::optional<FloatColumn>& lat,
                        const std::optional<FloatColumn>& lon) {
    const std::size_t n = ids.size();
    std::vector<std::string> id = string_column(ids, "ids", n);
    std::vector<std::string> text = string_column(texts, "texts", n);
    std::vector<std::string> address = string_column(addresses, "addresses", n);
    std::vector<std::string> source = string_column(sources, "sources", n);
    std::vector<std::string> category = categories ? string_column(*categories, "categories", n) : std::vector<std::string>(n);
    for (const auto& [column, name] : {std::pair{&lat, "lat"}, std::pair{&lon, "lon"}}) {
        if (*column && static_cast<std::size_t>((*column)->size()) != n) {
            throw InvalidInput(name, std::to_string((*column)->size()) + " rows", "expected " + std::to_string(n) + " rows, as ids");
        }
    }
    if (static_cast<std::size_t>(times.size()) != n) {
        throw InvalidInput("times", std::to_string(times.size()) + " rows", "expected " + std::to_string(n) + " rows, as ids");
    }
    std::vector<Report> reports(n);
    const std::int64_t* t = times.data();
    for (std::size_t i = 0; i < n; ++i) {
        Report& r = reports[i];
        r.id = std::move(id[i]);
        r.text = std::move(text[i]);
        r.address = std::move(address[i]);
        r.time = t[i];
        r.source = std::move(source[i]);
        r.category = std::move(category[i]);
        // NaN means "no coordinate" (a missing value of a numpy or pandas column); one without the other
        // is rejected by the engine, naming the field.
        if (lat && !std::isnan(lat->at(i))) r.lat = lat->at(i);
        if (lon && !std::isnan(lon->at(i))) r.lon = lon->at(i);
    }
    std::vector<CompactDecision> decisions;
    {
        py::gil_scoped_release release;
        decisions = engine.submit_compact(reports);
    }
    const auto column = [&](auto field, auto type_tag) {
        using T = decltype(type_tag);
        py::array_t<T> out(static_cast<py::ssize_t>(decisions.size()));
        T* data = out.mutable_data();
        for (std::size_t i = 0; i < decisions.size(); ++i) data[i] = static_cast<T>(field(decisions[i]));
        return out;
    };
    py::dict out;
    out["event"] = column([](const CompactDecision& d) { return d.event; }, std::uint32_t{});
    out["is_new"] = column([](const CompactDecision& d) { return d.is_new; }, bool{});
    out["recurrence_of"] = column([](const CompactDecision& d) { return d.recurrence_of; }, std::int32_t{});
    out["needs_review"] = column([](const CompactDecision& d) { return d.needs_review; }, bool{});
    out["review_event"] = column([](const CompactDecision& d) { return d.review_event; }, std::int32_t{});
    out["score"] = column([](const CompactDecision& d) { return d.score; }, double{});
    out["category"] = column([](const CompactDecision& d) { return d.category; }, std::uint32_t{});
    out["category_confidence"] = column([](const CompactDecision& d) { return d.category_confidence; }, double{});
    out["category_from_hint"] = column([](const CompactDecision& d) { return d.category_from_hint; }, bool{});
    out["platform"] = column([](const CompactDecision& d) { return d.platform; }, std::uint32_t{});
    out["co_platforms"] = column([](const CompactDecision& d) { return d.co_platforms; }, std::uint32_t{});
    out["level"] = column([](const CompactDecision& d) { return level_index(d.level); }, std::uint8_t{});
    out["unit"] = column([](const CompactDecision& d) { return d.unit; }, std::int32_t{});
    out["deadline"] = column([](const CompactDecision& d) { return d.deadline; }, std::int64_t{});
    return out;
}

// Engine::close_many over columns: the rows' outcome as a bool array (closed or passed over), and for
// the closed rows the step each event's history got (level, unit code, deadline), which the journal
// records.
py::dict close_many(Engine& engine, const py::sequence& event_ids, const Int64Column& times,
                    const py::sequence& resolutions, bool skip_invalid) {
    const std::size_t n = event_ids.size();
    std::vector<std::string> ids = string_column(event_ids, "event_ids", n, "event_ids");
    if (static_cast<std::size_t>(times.size()) != n) {
        throw InvalidInput("times", std::to_string(times.size()) + " rows", "expected " + std::to_string(n) + " rows, as event_ids");
    }
    std::vector<std::int64_t> when(times.data(), times.data() + n);
    std::vector<std::string> resolution =
        resolutions.size() == 1 ? string_column(resolutions, "resolution", 1, "one for all")
                                : string_column(resolutions, "resolutions", n, "event_ids");
    std::vector<Closing> done;
    {
        py::gil_scoped_release release;
        done = engine.close_many(ids, when, resolution, skip_invalid);
    }
    py::array_t<bool> closed(static_cast<py::ssize_t>(n));
    py::array_t<std::int64_t> deadline(static_cast<py::ssize_t>(n));
    py::list level(n);
    py::list unit(n);
    for (std::size_t i = 0; i < n; ++i) {
        closed.mutable_data()[i] = done[i].closed;
        deadline.mutable_data()[i] = done[i].deadline;
        level[i] = done[i].closed ? py::object(py::str(level_code(done[i].level))) : py::object(py::none());
        unit[i] = done[i].closed ? py::object(py::str(done[i].unit_code)) : py::object(py::none());
    }
    py::dict out;
    out["closed"] = closed;
    out["level"] = level;
    out["unit_code"] = unit;
    out["deadline"] = deadline;
    return out;
}

}  // namespace

void bind_indel(pybind11::module_& m);
PYBIND11_MODULE(_core, m) {
    m.doc() = "routing_core C++ core (internal; use the routing_core package)";
    py::register_exception_translator(&translate);
    bind_indel(m);

    m.def("normalise_text", &normalise_text_utf8, py::arg("text"));
    m.def("normalise_address", &normalise_address_utf8, py::arg("address"));

    py::class_<Gazetteer>(m, "Gazetteer")
        .def(py::init<>())
        .def(
            "add_unit",
            [](Gazetteer& g, const std::string& code, const std::string& level, const std::string& parent,
               const std::string& name, const std::vector<std::string>& other_names) {
                return g.add_unit(code, to_level(level), parent, name, other_names);
            },
            py::arg("code"), py::arg("level"), py::arg("parent"), py::arg("name"), py::arg("other_names"))
        .def("build", &Gazetteer::build)
        .def("__len__", &Gazetteer::size)
        .def("find", &Gazetteer::find, py::arg("code"))
        .def("set_centroid", &Gazetteer::set_centroid, py::arg("index"), py::arg("lat"), py::arg("lon"));

    py::class_<RuleSet>(m, "RuleSet")
        .def(py::init<>())
        .def("add_platform", &RuleSet::add_platform, py::arg("code"), py::arg("label"))
        .def(
            "add_category",
            [](RuleSet& r, const std::string& code, const std::string& label, const std::string& platform,
               const std::vector<std::string>& co, const std::string& level, double hours, bool working_time) {
                return r.add_category(code, label, platform, co, to_level(level), hours, working_time);
            },
            py::arg("code"), py::arg("label"), py::arg("platform"), py::arg("co_platforms"), py::arg("level"),
            py::arg("deadline_hours"), py::arg("working_time") = false)
        .def("add_term", &RuleSet::add_term, py::arg("category"), py::arg("term"), py::arg("weight"))
        .def("add_channel_hint", &RuleSet::add_channel_hint, py::arg("channel"), py::arg("category"), py::arg("weight"))
        .def(
            "add_rule",
            [](RuleSet& r, const std::string& id, std::int32_t priority, const std::vector<std::string>& terms,
               const std::vector<std::string>& channels, const std::vector<std::string>& categories,
               std::uint32_t min_reports, std::uint32_t min_recurrences, const std::optional<std::string>& min_level,
               std::optional<double> deadline_hours, const std::string& platform,
               const std::vector<std::string>& co_platforms) {
                RoutingRuleSpec spec{id, priority, terms, channels, categories, min_reports, min_recurrences,
                                     std::nullopt, deadline_hours, platform, co_platforms};
                if (min_level) spec.min_level = to_level(*min_level);
                r.add_rule(spec);
            },
            py::arg("id"), py::kw_only(), py::arg("priority") = 0, py::arg("terms") = std::vector<std::string>{},
            py::arg("channels") = std::vector<std::string>{}, py::arg("categories") = std::vector<std::string>{},
            py::arg("min_reports") = 0, py::arg("min_recurrences") = 0, py::arg("min_level") = py::none(),
            py::arg("deadline_hours") = py::none(), py::arg("platform") = "",
            py::arg("co_platforms") = std::vector<std::string>{})
        .def(
            "set_level_hours", [](RuleSet& r, const std::string& level, double hours) { r.set_level_hours(to_level(level), hours); },
            py::arg("level"), py::arg("hours"))
        .def("set_fallback_category", &RuleSet::set_fallback_category, py::arg("code"))
        .def(
            "set_calendar",
            [](RuleSet& r, std::int32_t utc_offset, const std::vector<std::pair<std::int32_t, std::int32_t>>& periods,
               const std::vector<std::int32_t>& weekdays, const std::vector<std::int64_t>& holidays,
               const std::vector<std::int64_t>& workdays) {
                WorkCalendar c;
                c.set_utc_offset(utc_offset);
                c.set_periods(periods);
                c.set_weekdays(weekdays);
                for (auto d : holidays) c.add_holiday(d);
                for (auto d : workdays) c.add_workday(d);
                r.set_calendar(std::move(c));
            },
            py::arg("utc_offset"), py::arg("periods"), py::arg("weekdays"), py::arg("holidays"), py::arg("workdays"))
        .def("set_classification_negation", &RuleSet::set_classification_negation, py::arg("cues"), py::arg("window"))
        .def("set_rule_negation", &RuleSet::set_rule_negation, py::arg("cues"), py::arg("window"))
        .def("validate", &RuleSet::validate);

    py::class_<LookupLimits>(m, "LookupLimits")
        .def(py::init<>())
        .def_readwrite("postings_per_key", &LookupLimits::postings_per_key)
        .def_readwrite("rare_shingles", &LookupLimits::rare_shingles)
        .def_readwrite("max_candidates", &LookupLimits::max_candidates)
        .def_readwrite("max_scored", &LookupLimits::max_scored)
        .def_readwrite("max_closed", &LookupLimits::max_closed);

    py::class_<Curve>(m, "Curve")
        .def(py::init<>())
        .def_readwrite("x", &Curve::x)
        .def_readwrite("y", &Curve::y)
        .def("__call__", &Curve::operator(), py::arg("value"));

    m.attr("MAX_LOOKUP_LIMIT") = max_lookup_limit;  // the most a [lookup] limit may be
    m.attr("MAX_NEGATION_WINDOW") = max_negation_window;  // the most a [negation] window may be

    py::class_<MatchParams>(m, "MatchParams")
        .def(py::init<>())
        .def_readwrite("weight_address", &MatchParams::weight_address)
        .def_readwrite("weight_text", &MatchParams::weight_text)
        .def_readwrite("weight_category", &MatchParams::weight_category)
        .def_readwrite("weight_time", &MatchParams::weight_time)
        .def_readwrite("weight_place", &MatchParams::weight_place)
        .def_readwrite("weight_place_category", &MatchParams::weight_place_category)
        .def_readwrite("weight_place_text", &MatchParams::weight_place_text)
        .def_readwrite("curve_place_category", &MatchParams::curve_place_category)
        .def_readwrite("curve_place_text", &MatchParams::curve_place_text)
        .def_readwrite("weight_address_category", &MatchParams::weight_address_category)
        .def_readwrite("curve_address_category", &MatchParams::curve_address_category)
        .def_readwrite("weight_coverage", &MatchParams::weight_coverage)
        .def_readwrite("curve_coverage", &MatchParams::curve_coverage)
        .def_readwrite("curve_address", &MatchParams::curve_address)
        .def_readwrite("curve_text", &MatchParams::curve_text)
        .def_readwrite("curve_place", &MatchParams::curve_place)
        .def_readwrite("curve_category", &MatchParams::curve_category)
        .def_readwrite("curve_time", &MatchParams::curve_time)
        .def_readwrite("weight_proximity", &MatchParams::weight_proximity)
        .def_readwrite("curve_proximity", &MatchParams::curve_proximity)
        .def_readwrite("weight_channel", &MatchParams::weight_channel)
        .def_readwrite("curve_channel", &MatchParams::curve_channel)
        .def_readwrite("weight_wording", &MatchParams::weight_wording)
        .def_readwrite("curve_wording", &MatchParams::curve_wording)
        .def_readwrite("time_scale_hours", &MatchParams::time_scale_hours)
        .def_readwrite("proximity_scale_m", &MatchParams::proximity_scale_m)
        .def_readwrite("duplicate_threshold", &MatchParams::duplicate_threshold)
        .def_readwrite("recurrence_threshold", &MatchParams::recurrence_threshold)
        .def_readwrite("review_threshold", &MatchParams::review_threshold)
        .def_readwrite("window_hours", &MatchParams::window_hours)
        .def_readwrite("recurrence_days", &MatchParams::recurrence_days)
        .def_readwrite("lookup", &MatchParams::lookup)
        // A scored candidate's contributions in one call, in match_params.FEATURES order.
        .def("contributions", [](const MatchParams& p, const CandidateScore& c) {
            const auto terms = p.contributions(features_of(c));
            py::tuple out(terms.size());
            for (std::size_t i = 0; i < terms.size(); ++i) out[i] = terms[i];
            return out;
        })
        .def("validate", &MatchParams::validate);  // ConfigError naming the parameter

    py::class_<Limits>(m, "Limits")
        .def(py::init<>())
        .def_readwrite("max_id_bytes", &Limits::max_id_bytes)
        .def_readwrite("max_text_bytes", &Limits::max_text_bytes)
        .def_readwrite("max_address_bytes", &Limits::max_address_bytes)
        .def_readwrite("max_source_bytes", &Limits::max_source_bytes);

    py::class_<EngineConfig>(m, "EngineConfig")
        .def(py::init<>())
        .def_readwrite("match", &EngineConfig::match)
        .def_readwrite("limits", &EngineConfig::limits)
        .def_readwrite("sources", &EngineConfig::sources)
        .def_readwrite("threads", &EngineConfig::threads);

    py::class_<Report>(m, "Report")
        .def(py::init([](std::string id, std::string text, std::string address, std::int64_t time, std::string source,
                         std::string category, std::optional<double> lat, std::optional<double> lon) {
                 return Report{std::move(id), std::move(text), std::move(address), time, std::move(source),
                               std::move(category), lat, lon};
             }),
             py::arg("id"), py::arg("text"), py::arg("address"), py::arg("time"), py::arg("source"),
             py::arg("category"), py::arg("lat"), py::arg("lon"))
        .def_readonly("id", &Report::id)
        .def_readonly("text", &Report::text)
        .def_readonly("address", &Report::address)
        .def_readonly("time", &Report::time)
        .def_readonly("source", &Report::source)
        .def_readonly("category", &Report::category)
        .def_readonly("lat", &Report::lat)
        .def_readonly("lon", &Report::lon);

    py::class_<Address>(m, "Address")
        .def_readonly("normalised", &Address::normalised)
        .def_property_readonly("units", [](const Address& a) { return std::vector<std::int32_t>(a.units.begin(), a.units.end()); })
        .def_readonly("road", &Address::road)
        .def_readonly("number", &Address::number)
        .def_readonly("compound", &Address::compound)
        .def_readonly("building", &Address::building)
        .def_readonly("unit", &Address::unit)
        .def_readonly("room", &Address::room)
        .def_readonly("remainder", &Address::remainder)
        .def_readonly("ambiguities", &Address::ambiguities)
        .def_readonly("confidence", &Address::confidence)
        .def_readonly("placed_by_coordinates", &Address::placed_by_coordinates)
        .def_readonly("lat", &Address::lat)
        .def_readonly("lon", &Address::lon);

    py::class_<CandidateScore>(m, "CandidateScore")
        .def_readonly("event_id", &CandidateScore::event_id)
        .def_readonly("closed", &CandidateScore::closed)
        .def_readonly("address", &CandidateScore::address)
        .def_readonly("text", &CandidateScore::text)
        .def_readonly("place", &CandidateScore::place)
        .def_readonly("coverage", &CandidateScore::coverage)
        .def_readonly("category", &CandidateScore::category)
        .def_readonly("hours_apart", &CandidateScore::hours_apart)
        .def_readonly("recency", &CandidateScore::recency)
        .def_readonly("distance_m", &CandidateScore::distance_m)
        .def_readonly("proximity", &CandidateScore::proximity)
        .def_readonly("channel", &CandidateScore::channel)
        .def_readonly("wording", &CandidateScore::wording)
        .def_readonly("score", &CandidateScore::score);

    py::class_<Classification>(m, "Classification")
        .def_readonly("category", &Classification::category)
        .def_readonly("confidence", &Classification::confidence)
        .def_readonly("evidence", &Classification::evidence);

    py::class_<Decision>(m, "Decision")
        .def_readonly("report_id", &Decision::report_id)
        .def_readonly("event_id", &Decision::event_id)
        .def_readonly("is_new", &Decision::is_new)
        .def_readonly("duplicate_of", &Decision::duplicate_of)
        .def_readonly("recurrence_of", &Decision::recurrence_of)
        .def_readonly("needs_review", &Decision::needs_review)
        .def_readonly("review_event", &Decision::review_event)
        .def_readonly("score", &Decision::score)
        .def_readonly("category", &Decision::category)
        .def_readonly("category_confidence", &Decision::category_confidence)
        .def_readonly("category_from_hint", &Decision::category_from_hint)
        .def_readonly("evidence", &Decision::evidence)
        .def_readonly("platform", &Decision::platform)
        .def_readonly("co_platforms", &Decision::co_platforms)
        .def_property_readonly("level", [](const Decision& d) { return level_code(d.level); })
        .def_readonly("unit_code", &Decision::unit_code)
        .def_readonly("unit_name", &Decision::unit_name)
        .def_readonly("deadline", &Decision::deadline)
        .def_readonly("address", &Decision::address)
        .def_readonly("candidates", &Decision::candidates)
        .def_readonly("rules_fired", &Decision::rules_fired)
        .def_readonly("rule_reasons", &Decision::rule_reasons)
        // Every field but the address, the candidates and the evidence in one call, as a dict under
        // `names` (the 19 names of _CORE_DECISION_FIELDS, routing_core/engine.py, in its order: the
        // Python side's own key objects), the lists as tuples and empty references as None: a single
        // `submit` reads them all, and nineteen attribute reads, or a tuple zipped into a dict in
        // Python, cost more than this.
        .def(
            "fields",
            [](const Decision& d, const py::tuple& names) {
                const auto or_none = [](const std::string& id) -> py::object {
                    return id.empty() ? py::object(py::none()) : py::object(py::str(id));
                };
                const auto tuple_of = [](const std::vector<std::string>& items) {
                    py::tuple out(items.size());
                    for (std::size_t i = 0; i < items.size(); ++i) out[i] = py::str(items[i]);
                    return out;
                };
                const py::object values[] = {
                    py::str(d.report_id), py::str(d.event_id), py::bool_(d.is_new), or_none(d.duplicate_of),
                    or_none(d.recurrence_of), py::bool_(d.needs_review), or_none(d.review_event),
                    py::float_(d.score), py::str(d.category), py::float_(d.category_confidence),
                    py::bool_(d.category_from_hint), py::str(d.platform), tuple_of(d.co_platforms),
                    py::str(level_code(d.level)), py::str(d.unit_code), py::str(d.unit_name),
                    py::int_(d.deadline), tuple_of(d.rules_fired), tuple_of(d.rule_reasons)};
                constexpr std::size_t count = sizeof values / sizeof values[0];
                if (names.size() != count) {
                    throw py::value_error("fields: expected " + std::to_string(count) + " names, got " +
                                          std::to_string(names.size()));
                }
                py::dict out;
                for (std::size_t i = 0; i < count; ++i) out[names[i]] = values[i];
                return out;
            },
            py::arg("names"));

    py::class_<EventStep>(m, "EventStep")
        .def_readonly("time", &EventStep::time)
        .def_readonly("kind", &EventStep::kind)
        .def_property_readonly("level", [](const EventStep& s) { return level_code(s.level); })
        .def_readonly("unit_code", &EventStep::unit_code)
        .def_readonly("rule", &EventStep::rule)
        .def_readonly("report_id", &EventStep::report_id);

    py::class_<EventView>(m, "EventView")
        .def_readonly("id", &EventView::id)
        .def_readonly("report_ids", &EventView::report_ids)
        .def_readonly("sources", &EventView::sources)
        .def_readonly("open", &EventView::open)
        .def_readonly("category", &EventView::category)
        .def_readonly("platform", &EventView::platform)
        .def_readonly("co_platforms", &EventView::co_platforms)
        .def_property_readonly("level", [](const EventView& v) { return level_code(v.level); })
        .def_readonly("unit_code", &EventView::unit_code)
        .def_readonly("unit_name", &EventView::unit_name)
        .def_readonly("opened", &EventView::opened)
        .def_readonly("last_report", &EventView::last_report)
        .def_readonly("deadline", &EventView::deadline)
        .def_readonly("closed", &EventView::closed)
        .def_readonly("resolution", &EventView::resolution)
        .def_readonly("recurrence_of", &EventView::recurrence_of)
        .def_readonly("history", &EventView::history);

    py::class_<Escalation>(m, "Escalation")
        .def_readonly("event_id", &Escalation::event_id)
        .def_property_readonly("from_level", [](const Escalation& e) { return level_code(e.from_level); })
        .def_property_readonly("to_level", [](const Escalation& e) { return level_code(e.to_level); })
        .def_readonly("unit_code", &Escalation::unit_code)
        .def_readonly("unit_name", &Escalation::unit_name)
        .def_readonly("time", &Escalation::time)
        .def_readonly("deadline", &Escalation::deadline);

    py::class_<EngineStats>(m, "EngineStats")
        .def_readonly("events", &EngineStats::events)
        .def_readonly("open_events", &EngineStats::open_events)
        .def_readonly("reports", &EngineStats::reports)
        .def_readonly("index_bytes", &EngineStats::index_bytes)
        .def_readonly("purged_events", &EngineStats::purged_events);

    py::class_<Engine>(m, "Engine")
        .def(py::init<Gazetteer, RuleSet, EngineConfig>(), py::arg("gazetteer"), py::arg("rules"), py::arg("config"))
        .def("submit", &Engine::submit, py::arg("report"), py::arg("explain") = true,
             py::call_guard<py::gil_scoped_release>())
        // The list is converted to std::vector<Report> with the GIL held, before the guard releases it.
        .def("submit_many", &Engine::submit_many, py::arg("reports"), py::arg("explain") = true,
             py::call_guard<py::gil_scoped_release>())
        // submit_many without building decisions (the store's recovery replays batches this way);
        // returns how many reports the batch had.
        .def("submit_compact",
             [](Engine& e, const std::vector<Report>& reports) { return e.submit_compact(reports).size(); },
             py::arg("reports"), py::call_guard<py::gil_scoped_release>())
        .def("submit_columns", &submit_columns, py::arg("ids"), py::arg("texts"), py::arg("addresses"),
             py::arg("times"), py::arg("sources"), py::arg("categories") = py::none(), py::arg("lat") = py::none(),
             py::arg("lon") = py::none())
        .def("event_ids",
             [](const Engine& e, const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& index) {
                 std::vector<std::string> out;
                 out.reserve(static_cast<std::size_t>(index.size()));
                 for (py::ssize_t i = 0; i < index.size(); ++i) {
                     const std::int64_t k = index.at(i);
                     out.push_back(k < 0 ? std::string() : e.event_id(static_cast<std::uint32_t>(k)));
                 }
                 return out;
             },
             py::arg("index"))
        .def("close", &Engine::close, py::arg("event_id"), py::arg("time"), py::arg("resolution"),
             py::call_guard<py::gil_scoped_release>())
        .def("close_many", &close_many, py::arg("event_ids"), py::arg("times"), py::arg("resolutions"),
             py::arg("skip_invalid"))
        .def("advance", &Engine::advance, py::arg("now"), py::call_guard<py::gil_scoped_release>())
        .def("event", &Engine::event, py::arg("event_id"), py::call_guard<py::gil_scoped_release>())
        .def("stats", &Engine::stats)
        .def(
            "memory",
            [](const Engine& e) {
                EngineMemory m;
                {
                    py::gil_scoped_release release;
                    m = e.memory();
                }
                py::dict out;
                out["events"] = m.events;
                out["histories"] = m.histories;
                out["match_data"] = m.match_data;
                out["reports"] = m.reports;
                out["index"] = m.index;
                out["per_event"] = m.per_event;
                out["total"] = m.total();
                return out;
            })
        .def("knows_report", &Engine::knows_report, py::arg("report_id"))
        .def("save_snapshot", &Engine::save_snapshot, py::arg("path"), py::call_guard<py::gil_scoped_release>())
        .def("load_snapshot", &Engine::load_snapshot, py::arg("path"), py::call_guard<py::gil_scoped_release>())
        .def("parse_address", &Engine::parse_address, py::arg("address"), py::call_guard<py::gil_scoped_release>())
        .def("address_similarity",
             [](const Engine& e, std::string_view a, std::string_view b) {
                 return address_similarity(e.parse_address(a), e.parse_address(b));
             },
             py::arg("a"), py::arg("b"), py::call_guard<py::gil_scoped_release>())
        .def("classify", &Engine::classify, py::arg("text"), py::arg("channel") = "",
             py::call_guard<py::gil_scoped_release>())
        .def("category_code", [](const Engine& e, std::uint32_t i) { return e.rules().category(i).code; })
        .def("platform_code", [](const Engine& e, std::uint32_t i) { return e.rules().platform_code(i); })
        .def("unit_info", [](const Engine& e, std::uint32_t i) {
            const Unit& u = e.gazetteer().unit(i);
            return py::make_tuple(u.code, level_code(u.level), u.name, e.gazetteer().name_path(i));
        });
}

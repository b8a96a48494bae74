// Domain errors of the core. A broken contract inside the core throws std:: exceptions; everything a
// caller can cause with bad input throws a subclass of routing_core::Error, which the binding maps to
// routing_core.errors in Python.
#pragma once

#include <stdexcept>
#include <string>

namespace routing_core {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A report (or another input record) failed validation. `field` names the offending field and `value`
// is a printable, length-capped excerpt of the value.
class InvalidInput : public Error {
public:
    InvalidInput(std::string field, std::string value, const std::string& problem);
    const std::string& field() const noexcept { return field_; }
    const std::string& value() const noexcept { return value_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string field_;
    std::string value_;
    std::string problem_;
};

// An event id that the engine does not know.
class UnknownEvent : public Error {
public:
    explicit UnknownEvent(const std::string& event_id);
    // The same, naming where the id came from, e.g. "event_ids[3]".
    UnknownEvent(const std::string& event_id, const std::string& where);
};

// Configuration (gazetteer, rules, match parameters) that cannot be used.
class ConfigError : public Error {
public:
    using Error::Error;
};

// Cap a value for use in an error message: at most `max_chars` code points, with a marker when cut.
std::string excerpt(const std::string& value, std::size_t max_bytes = 80);

// A number for an error message, to 9 significant digits: 1e+308, not its 309 digits.
std::string number_text(double value);

}  // namespace routing_core

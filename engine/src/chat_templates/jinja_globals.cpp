#include "chat_templates/jinja_globals.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace bd3::jinja {

namespace {

using Type = Value::Type;

// jinja2.sandbox.MAX_RANGE
constexpr int64_t kMaxRange = 100000;

constexpr std::array<const char*, 12> kMonths{"January", "February", "March",     "April",   "May",      "June",
                                              "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDays{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

std::string number(int value, int width, char pad, bool noPad)
{
    std::string digits = std::to_string(value);
    if (!noPad)
        while (static_cast<int>(digits.size()) < width) digits.insert(digits.begin(), pad);
    return digits;
}

}  // namespace

bool isGlobal(std::string_view name)
{
    return isSupportedGlobal(name) || name == "lipsum" || name == "cycler" || name == "joiner";
}

bool isSupportedGlobal(std::string_view name)
{
    return name == "range" || name == "dict" || name == "namespace" || name == "raise_exception" ||
           name == "strftime_now";
}

Value callRange(Budget& budget, const Arguments& args)
{
    if (!args.keywords.empty()) throw RenderError("range() takes no keyword arguments");
    if (args.positional.empty() || args.positional.size() > 3)
        throw RenderError("range expected 1 to 3 arguments, got " + std::to_string(args.positional.size()));
    for (const Value& v : args.positional)
        if (!v.isIntegral()) {
            if (v.isUndefined()) failUndefined(v);
            throw RenderError("'" + typeName(v) + "' object cannot be interpreted as an integer");
        }
    int64_t start = 0;
    int64_t stop = 0;
    int64_t step = 1;
    if (args.positional.size() == 1) {
        stop = args.positional[0].asInt();
    } else {
        start = args.positional[0].asInt();
        stop = args.positional[1].asInt();
        if (args.positional.size() == 3) step = args.positional[2].asInt();
    }
    if (step == 0) throw RenderError("range() arg 3 must not be zero");
    const __int128 span = step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
    const __int128 magnitude = step > 0 ? static_cast<__int128>(step) : -static_cast<__int128>(step);
    const __int128 count = span <= 0 ? 0 : (span - 1) / magnitude + 1;
    if (count > kMaxRange)
        throw RenderError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    budget.charge(static_cast<uint64_t>(count));
    return makeRange(start, stop, step);
}

Dict callDict(const Arguments& args, std::string_view what)
{
    if (args.positional.size() > 1)
        throw RenderError(std::string(what) + " expected at most 1 argument, got " + std::to_string(args.positional.size()));
    Dict dict;
    if (!args.positional.empty()) {
        const Value& source = args.positional[0];
        if (source.is(Type::Dict)) {
            for (const auto& [key, value] : source.dict().entries()) dict.set(key, value);
        } else {
            const std::vector<Value> pairs = iterate(source);
            for (size_t i = 0; i < pairs.size(); ++i) {
                const std::vector<Value> pair = iterate(pairs[i]);
                if (pair.size() != 2)
                    throw RenderError("dictionary update sequence element #" + std::to_string(i) + " has length " +
                                      std::to_string(pair.size()) + "; 2 is required");
                if (!hashable(pair[0])) throw RenderError("unhashable type: '" + typeName(pair[0]) + "'");
                dict.set(pair[0], pair[1]);
            }
        }
    }
    for (const auto& [key, value] : args.keywords) dict.set(Value::string(key), value);
    return dict;
}

std::string strftimeNow(std::string_view format, std::chrono::system_clock::time_point now)
{
    using namespace std::chrono;
    const auto micros = duration_cast<microseconds>(now.time_since_epoch()).count();
    auto seconds = static_cast<std::time_t>(micros / 1000000);
    auto fraction = static_cast<int>(micros % 1000000);
    if (fraction < 0) {
        fraction += 1000000;
        --seconds;
    }
    std::tm t{};
    if (!localtime_r(&seconds, &t)) throw RenderError("strftime_now: the time cannot be shown in local time");
    // The C locale's names, as Python's strftime gives them.
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out.push_back(format[i]);
            continue;
        }
        if (++i >= format.size()) {
            out.push_back('%');
            break;
        }
        bool noPad = false;
        if (format[i] == '-' && i + 1 < format.size()) {
            noPad = true;
            ++i;
        }
        const int hour12 = t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12;
        switch (format[i]) {
        case '%': out.push_back('%'); break;
        case 'a': out += std::string(kDays[static_cast<size_t>(t.tm_wday)]).substr(0, 3); break;
        case 'A': out += kDays[static_cast<size_t>(t.tm_wday)]; break;
        case 'b':
        case 'h': out += std::string(kMonths[static_cast<size_t>(t.tm_mon)]).substr(0, 3); break;
        case 'B': out += kMonths[static_cast<size_t>(t.tm_mon)]; break;
        case 'd': out += number(t.tm_mday, 2, '0', noPad); break;
        case 'e': out += number(t.tm_mday, 2, ' ', noPad); break;
        case 'm': out += number(t.tm_mon + 1, 2, '0', noPad); break;
        case 'y': out += number(t.tm_year % 100, 2, '0', noPad); break;
        case 'Y': out += std::to_string(t.tm_year + 1900); break;
        case 'H': out += number(t.tm_hour, 2, '0', noPad); break;
        case 'I': out += number(hour12, 2, '0', noPad); break;
        case 'M': out += number(t.tm_min, 2, '0', noPad); break;
        case 'S': out += number(t.tm_sec, 2, '0', noPad); break;
        case 'p': out += t.tm_hour < 12 ? "AM" : "PM"; break;
        case 'j': out += number(t.tm_yday + 1, 3, '0', noPad); break;
        case 'w': out += std::to_string(t.tm_wday); break;
        case 'f': out += number(fraction, 6, '0', false); break;
        case 'D':
            out += number(t.tm_mon + 1, 2, '0', false) + "/" + number(t.tm_mday, 2, '0', false) + "/" +
                   number(t.tm_year % 100, 2, '0', false);
            break;
        case 'F':
            out += std::to_string(t.tm_year + 1900) + "-" + number(t.tm_mon + 1, 2, '0', false) + "-" +
                   number(t.tm_mday, 2, '0', false);
            break;
        case 'T':
            out += number(t.tm_hour, 2, '0', false) + ":" + number(t.tm_min, 2, '0', false) + ":" +
                   number(t.tm_sec, 2, '0', false);
            break;
        default:
            throw RenderError(std::string("strftime_now: the format code %") + format[i] + " is not supported");
        }
        checkStringSize(out.size());
    }
    return out;
}

}  // namespace bd3::jinja

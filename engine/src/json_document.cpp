#include "json_document.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace bd3 {

namespace {

std::string mebibytes(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

} // namespace

nlohmann::json parseJsonDocument(std::string_view text, const std::string& origin, size_t maxBytes)
{
    if (text.size() > maxBytes)
        throw Error(origin + ": " + std::to_string(text.size()) + " bytes, over the " + mebibytes(maxBytes) +
                    " this file may hold");
    // The keys of each object being read, innermost last.
    std::vector<std::unordered_set<std::string>> keys;
    const auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth)
            throw Error(origin + ": values nested more than " + std::to_string(kMaxJsonDepth) + " deep");
        if (event == Event::object_start) keys.emplace_back();
        if (event == Event::object_end) keys.pop_back();
        if (event == Event::key && !keys.back().insert(parsed.get<std::string>()).second)
            throw Error(origin + ": the key " + quoteJson(parsed) + " appears twice in one object");
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), check);
    } catch (const nlohmann::json::parse_error& error) {
        throw Error(origin + ": not valid JSON (byte " + std::to_string(error.byte) + "): " + error.what());
    } catch (const nlohmann::json::exception& error) {
        // A number too large for a double, and the like.
        throw Error(origin + ": not valid JSON: " + error.what());
    }
}

std::string quoteJson(const nlohmann::json& value)
{
    if (value.is_object()) return "an object";
    if (value.is_array()) {
        // A short list of scalars (a merge pair, a shape) is shown whole.
        const bool flat = value.size() <= 8 && std::none_of(value.begin(), value.end(), [](const nlohmann::json& e) {
                              return e.is_structured();
                          });
        if (!flat) return "an array";
        std::string text = "[";
        for (size_t i = 0; i < value.size(); ++i) {
            if (i > 0) text += ",";
            text += quoteJson(value[i]);
        }
        return text + "]";
    }
    std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    constexpr size_t limit = 60;
    if (text.size() > limit) text = text.substr(0, limit) + "... (" + std::to_string(text.size()) + " characters)";
    return text;
}

std::string quoteText(std::string_view text)
{
    std::string quoted = nlohmann::json(validUtf8(text)).dump();
    constexpr size_t limit = 60;
    if (quoted.size() > limit) quoted = quoted.substr(0, completeUtf8Prefix(quoted.substr(0, limit))) + "\"...";
    return quoted;
}

std::string readInputFile(const std::filesystem::path& path, size_t maxBytes)
{
    const std::string name = path.string();
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) throw Error(name + ": no such file");
        throw Error(name + ": cannot open: " + std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw Error(name + ": cannot stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw Error(name + ": not a regular file");
    const auto size = static_cast<size_t>(st.st_size);
    if (size > maxBytes)
        throw Error(name + ": " + std::to_string(size) + " bytes, over the " + mebibytes(maxBytes) +
                    " this file may hold");
    std::string contents(size, '\0');
    size_t done = 0;
    while (done < size) {
        const ssize_t got = ::pread(fd, contents.data() + done, size - done, static_cast<off_t>(done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw Error(name + ": read failed: " + std::strerror(errno));
        if (got == 0) throw Error(name + ": the file ended early (was it changed while it was being read?)");
        done += static_cast<size_t>(got);
    }
    return contents;
}

} // namespace bd3

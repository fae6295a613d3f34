#include "chat_templates/jinja_arguments.hpp"

#include <algorithm>

namespace bd3::jinja {

std::vector<std::optional<Value>> bindArguments(const Arguments& args, std::string_view what,
                                                std::initializer_list<std::string_view> parameters)
{
    std::vector<std::optional<Value>> slots(parameters.size());
    if (args.positional.size() > parameters.size())
        throw RenderError(std::string(what) + " takes at most " + std::to_string(parameters.size()) +
                          " argument(s), " + std::to_string(args.positional.size()) + " given");
    for (size_t i = 0; i < args.positional.size(); ++i) slots[i] = args.positional[i];
    for (const auto& [name, value] : args.keywords) {
        const auto it = std::find(parameters.begin(), parameters.end(), name);
        if (it == parameters.end())
            throw RenderError(std::string(what) + " got an unexpected keyword argument '" + name + "'");
        auto& slot = slots[static_cast<size_t>(it - parameters.begin())];
        if (slot) throw RenderError(std::string(what) + " got multiple values for argument '" + name + "'");
        slot = value;
    }
    return slots;
}

}  // namespace bd3::jinja

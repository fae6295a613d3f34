#include "tokenizers/sentencepiece_tokenizer.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"

#include <charconv>

namespace bd3 {

namespace {

// Byte-fallback pieces are spelled "<0xAB>".
char pieceByte(const std::string& piece)
{
    unsigned value = 0;
    const char* digits = piece.data() + 3;
    std::from_chars(digits, digits + 2, value, 16);
    return static_cast<char>(value);
}

} // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::filesystem::path& modelFile)
{
    std::error_code error;
    if (!std::filesystem::is_regular_file(modelFile, error))
        throw Error(modelFile.string() + ": no such file");
    // The library checks most of a model and returns a status, but a few
    // broken models (an empty piece, for one) make its trie builder throw.
    sentencepiece::util::Status status;
    try {
        status = m_processor.Load(modelFile.string());
    } catch (const std::exception& e) {
        throw Error(modelFile.string() + ": not a usable SentencePiece model: " + e.what());
    }
    if (!status.ok())
        throw Error(modelFile.string() + ": not a usable SentencePiece model: " + status.ToString());
}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view utf8) const
{
    requireValidUtf8(utf8, "text");
    std::vector<int> ids;
    const auto status = m_processor.Encode(utf8, &ids);
    if (!status.ok()) throw Error("SentencePiece could not encode the text: " + status.ToString());
    return {ids.begin(), ids.end()};
}

std::string SentencePieceTokenizer::decode(std::span<const int32_t> ids) const
{
    for (const int32_t id : ids) {
        if (id < 0 || id >= size())
            throw Error("token id " + std::to_string(id) + " is not in the SentencePiece vocabulary (ids 0.." +
                        std::to_string(size() - 1) + ")");
    }
    sentencepiece::ImmutableSentencePieceText decoded;
    const auto status = m_processor.Decode(std::vector<int>(ids.begin(), ids.end()), decoded.mutable_proto());
    if (!status.ok()) throw Error("SentencePiece could not decode the ids: " + status.ToString());

    // SentencePiece turns byte pieces that do not form whole characters into
    // U+FFFD; a slice of a longer sequence must give its exact bytes instead,
    // so byte pieces are written out as bytes and the rest as their surface
    // text (which has the spaces restored and control pieces empty).
    std::string bytes;
    for (const auto& piece : decoded.pieces()) {
        if (m_processor.IsByte(static_cast<int>(piece.id())))
            bytes.push_back(pieceByte(piece.piece()));
        else
            bytes += piece.surface();
    }
    return bytes;
}

std::optional<int32_t> SentencePieceTokenizer::tokenId(std::string_view piece) const
{
    // The library answers the unknown piece's id for pieces it does not have.
    const int id = m_processor.PieceToId(piece);
    if (id < 0 || m_processor.IdToPiece(id) != piece) return std::nullopt;
    return id;
}

} // namespace bd3

// The built-in test image, PGM and PNG readers, and pixel-centre coordinates (see image.hpp).
#include "data/image.hpp"

#include <fmt/format.h>
#include <png.h>
#include <torch/torch.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "core/error.hpp"
#include "data/files.hpp"

namespace actbench::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string read_bytes(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw DataError(
        fmt::format("{}: no such image file (data.image.file; a relative path is "
                    "taken from the working directory)",
                    file.string()));
  }
  // Sized before it is read: a sparse 20 GB file must not be read whole to find its header.
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (!ec && size > static_cast<uintmax_t>(kMaxImageFileBytes)) {
    throw DataError(fmt::format(
        "{}: the image file is {} bytes, larger than the {} MiB that any image of at most {} "
        "pixels (4096x4096) needs",
        file.string(), with_thousands(static_cast<int64_t>(size)), kMaxImageFileBytes >> 20,
        with_thousands(kMaxImagePixels)));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open the image file", file.string()));
  std::string bytes;
  bytes.resize(static_cast<size_t>(ec ? 0 : size));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  // A file that grew since it was sized is read to the limit and one byte past it, no further.
  if (in && in.peek() != std::char_traits<char>::eof()) {
    char buffer[1 << 16];
    while (in && bytes.size() <= static_cast<size_t>(kMaxImageFileBytes)) {
      in.read(buffer, sizeof buffer);
      bytes.append(buffer, static_cast<size_t>(in.gcount()));
    }
    if (bytes.size() > static_cast<size_t>(kMaxImageFileBytes)) {
      throw DataError(fmt::format("{}: the image file is larger than {} MiB", file.string(),
                                  kMaxImageFileBytes >> 20));
    }
  }
  return bytes;
}

void check_dimensions(const std::filesystem::path& file, int64_t width, int64_t height) {
  if (width < 1 || height < 1) {
    throw DataError(fmt::format("{}: the image is {}x{} pixels; it needs at least one",
                                file.string(), width, height));
  }
  if (width > kMaxImagePixels / height) {
    throw DataError(
        fmt::format("{}: the image is {}x{} pixels, more than the {} the image "
                    "dataset holds",
                    file.string(), width, height, kMaxImagePixels));
  }
}

// A PGM file (netpbm's pgm(5)): magic, width, height and maxval as ASCII decimals separated by
// whitespace and '#' comments, then one whitespace byte and the raster. Errors name the byte offset
// because a PGM is usually written by a script whose bug the offset points to.
class PgmReader {
 public:
  PgmReader(std::filesystem::path file, std::string bytes)
      : file_(std::move(file)), bytes_(std::move(bytes)) {}

  GreyImage read() {
    const std::string magic = bytes_.substr(0, 2);
    pos_ = 2;
    const bool ascii = magic == "P2";
    GreyImage image;
    image.width = header_number("width");
    image.height = header_number("height");
    check_dimensions(file_, image.width, image.height);
    const int64_t maxval = header_number("maxval");
    if (maxval < 1 || maxval > 65535) {
      pos_ = token_start_;
      fail(fmt::format("maxval is {}; a PGM's maxval is 1 to 65535", maxval));
    }
    const int64_t n = image.width * image.height;
    image.pixels.resize(static_cast<size_t>(n));
    if (ascii) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t value = number(fmt::format("pixel {} of {}", i + 1, n), /*header=*/false);
        if (value > maxval) {
          pos_ = token_start_;
          fail(fmt::format("pixel {} is {}, above the maxval {}", i + 1, value, maxval));
        }
        image.pixels[static_cast<size_t>(i)] = static_cast<double>(value) / maxval;
      }
      skip_space(/*comments=*/false);
      if (pos_ < bytes_.size()) fail("unexpected data after the last pixel");
      return image;
    }
    // P5: exactly one whitespace byte ends the header, then big-endian samples of 1 or 2 bytes.
    if (pos_ >= bytes_.size() || !std::isspace(static_cast<unsigned char>(bytes_[pos_])))
      fail("expected one whitespace byte between the maxval and the raster");
    ++pos_;
    const size_t sample = maxval < 256 ? 1 : 2;
    const size_t expected = static_cast<size_t>(n) * sample;
    const size_t present = bytes_.size() - pos_;
    if (present < expected) {
      fail(fmt::format(
          "truncated: the raster of {}x{} pixels at {} byte{} each needs {} bytes, "
          "the file has {}",
          image.width, image.height, sample, sample == 1 ? "" : "s", expected, present));
    }
    if (present > expected) {
      pos_ += expected;
      fail(fmt::format("{} bytes after the raster (a file of several PGM images is not supported)",
                       present - expected));
    }
    const auto* raster = reinterpret_cast<const unsigned char*>(bytes_.data() + pos_);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t value = sample == 1 ? raster[i] : (raster[2 * i] << 8) | raster[2 * i + 1];
      if (value > maxval) {
        pos_ += static_cast<size_t>(i) * sample;
        fail(fmt::format("pixel {} is {}, above the maxval {}", i + 1, value, maxval));
      }
      image.pixels[static_cast<size_t>(i)] = static_cast<double>(value) / maxval;
    }
    return image;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw DataError(fmt::format("{}: byte {}: {}", file_.string(), pos_, message));
  }

  void skip_space(bool comments) {
    while (pos_ < bytes_.size()) {
      const char c = bytes_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (comments && c == '#') {
        while (pos_ < bytes_.size() && bytes_[pos_] != '\n' && bytes_[pos_] != '\r') ++pos_;
      } else {
        break;
      }
    }
  }

  int64_t header_number(const char* what) { return number(what, /*header=*/true); }

  int64_t number(const std::string& what, bool header) {
    if (header && pos_ < bytes_.size() && !std::isspace(static_cast<unsigned char>(bytes_[pos_])) &&
        bytes_[pos_] != '#')
      fail(fmt::format("expected whitespace before the {}", what));
    skip_space(/*comments=*/header);
    if (pos_ >= bytes_.size()) fail(fmt::format("truncated: the file ends before the {}", what));
    if (!std::isdigit(static_cast<unsigned char>(bytes_[pos_]))) {
      fail(fmt::format("expected the {} (a non-negative decimal number), found '{}'", what,
                       std::isprint(static_cast<unsigned char>(bytes_[pos_]))
                           ? std::string(1, bytes_[pos_])
                           : fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes_[pos_]))));
    }
    token_start_ = pos_;
    int64_t value = 0;
    while (pos_ < bytes_.size() && std::isdigit(static_cast<unsigned char>(bytes_[pos_]))) {
      value = value * 10 + (bytes_[pos_] - '0');
      if (value > (int64_t{1} << 31)) fail(fmt::format("the {} is too large", what));
      ++pos_;
    }
    return value;
  }

  std::filesystem::path file_;
  std::string bytes_;
  size_t pos_ = 0;
  size_t token_start_ = 0;  // of the last number read, where errors about its value point
};

// libpng's simplified API: it expands palettes and low bit depths and converts colour to grey
// (libpng's sRGB coefficients), reducing to 8 bits per pixel.
GreyImage read_png(const std::filesystem::path& file, const std::string& bytes) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  auto fail = [&](const std::string& what) {
    const std::string message = png.message;
    png_image_free(&png);
    return DataError(fmt::format("{}: not a readable PNG file: {}{}", file.string(), what,
                                 message.empty() ? "" : " (libpng: " + message + ")"));
  };
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) throw fail("bad header");
  if ((png.format & PNG_FORMAT_FLAG_ALPHA) != 0) {
    png_image_free(&png);
    throw DataError(
        fmt::format("{}: the PNG has an alpha channel (transparency), which the "
                    "image dataset does not guess a background for; flatten it",
                    file.string()));
  }
  check_dimensions(file, png.width, png.height);
  png.format = PNG_FORMAT_GRAY;
  std::vector<unsigned char> buffer(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, buffer.data(), 0, nullptr))
    throw fail("corrupt or truncated data");
  GreyImage image;
  image.width = png.width;
  image.height = png.height;
  image.pixels.reserve(buffer.size());
  for (unsigned char v : buffer) image.pixels.push_back(v / 255.0);
  png_image_free(&png);
  return image;
}

}  // namespace

GreyImage builtin_image(int64_t size) {
  // Drawn on the same coordinate grid the dataset feeds the network, so every edge falls where a
  // pixel centre says it does.
  const at::Tensor axis = torch::linspace(-1.0, 1.0, size, torch::kDouble);
  const at::Tensor y = axis.unsqueeze(1).expand({size, size});
  const at::Tensor x = axis.unsqueeze(0).expand({size, size});
  at::Tensor image = 0.35 + 0.2 * x;
  const at::Tensor disk = ((x + 0.4).pow(2) + (y + 0.35).pow(2)) < 0.3 * 0.3;
  image = torch::where(disk, torch::full_like(image, 0.9), image);
  const at::Tensor square = ((x - 0.45).abs() < 0.25) & ((y + 0.45).abs() < 0.2);
  image = torch::where(square, torch::full_like(image, 0.1), image);
  const at::Tensor chirp_area = (x < -0.05) & (y > 0.1);
  const at::Tensor chirp = 0.5 + 0.4 * torch::cos(14.0 * ((x + 0.5).pow(2) + (y - 0.55).pow(2)));
  image = torch::where(chirp_area, chirp, image);
  const at::Tensor bars_area = (x > 0.15) & (y > 0.15);
  const at::Tensor bars = 0.5 + 0.35 * torch::sign(torch::sin(9.0 * kPi * x * (1.0 + x)));
  image = torch::where(bars_area, bars, image).clamp(0.0, 1.0).contiguous();
  GreyImage result;
  result.width = result.height = size;
  const double* data = image.data_ptr<double>();
  result.pixels.assign(data, data + size * size);
  return result;
}

GreyImage read_grey_image(const std::filesystem::path& file) {
  std::string bytes = read_bytes(file);
  if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0)
    return read_png(file, bytes);
  const std::string magic = bytes.substr(0, 2);
  if (magic == "P2" || magic == "P5") return PgmReader(file, std::move(bytes)).read();
  if (magic == "P1" || magic == "P4" || magic == "P3" || magic == "P6") {
    throw DataError(
        fmt::format("{}: byte 0: a {} file ({}); the image dataset reads greyscale "
                    "PGM (P2, P5) and PNG",
                    file.string(), magic,
                    magic == "P1" || magic == "P4" ? "PBM, black and white" : "PPM, colour"));
  }
  throw DataError(fmt::format("{}: byte 0: neither a PGM (magic P2 or P5) nor a PNG file{}",
                              file.string(), bytes.empty() ? " (the file is empty)" : ""));
}

at::Tensor pixel_coordinates(int64_t height, int64_t width) {
  auto axis = [](int64_t n) {
    return n == 1 ? torch::zeros({1}, torch::kFloat64)
                  : torch::linspace(-1.0, 1.0, n, torch::kFloat64);
  };
  const at::Tensor y = axis(height).unsqueeze(1).expand({height, width});
  const at::Tensor x = axis(width).unsqueeze(0).expand({height, width});
  return torch::stack({x, y}, -1).reshape({height * width, 2}).to(torch::kFloat32).contiguous();
}

at::Tensor image_tensor(const GreyImage& image) {
  return torch::tensor(image.pixels, torch::kFloat64)
      .reshape({image.height, image.width})
      .to(torch::kFloat32);
}

}  // namespace actbench::data

// Greyscale images for the `image` dataset (coordinate-to-intensity fitting, as SIREN fits an
// image): the built-in generated test image, readers for PGM (P2 and P5, 8 and 16 bits) and PNG
// files, and the grid of pixel-centre coordinates the dataset feeds a network. Kept apart from the
// dataset entry so that the SIREN study and the tests can draw the same image and grid.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace actbench::data {

struct GreyImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<double> pixels;  // row-major from the top-left pixel, intensities in [0, 1]
};

// The side of the built-in image when data.image.size is 0.
constexpr int64_t kBuiltinImageSize = 64;
// The largest image (in pixels) a file may hold: 2 float32 inputs and 1 target each, 200 MB.
constexpr int64_t kMaxImagePixels = int64_t{1} << 24;
// The largest image file read: a file is sized before it is read, so that a huge (or sparse) file
// is refused at once. 8 bytes a pixel at kMaxImagePixels covers the largest encodings of the
// largest image held: an ASCII PGM at 16 bits ("65535" and up to 3 whitespace bytes a sample), a
// 16-bit RGB PNG stored without compression (6 bytes a pixel); 16 MiB more for headers, comments
// and ancillary PNG chunks. 144 MiB in all, less than the 200 MB the image itself takes once read.
constexpr int64_t kMaxImageFileBytes = 8 * kMaxImagePixels + (int64_t{16} << 20);

// The generated test image, size x size: a brightness ramp, a disc and a square with sharp edges,
// a zone-plate chirp and a bar grating of rising frequency, so that a fit has smooth parts, edges
// and fine detail to get right. Deterministic: the same pixels for every seed and platform.
GreyImage builtin_image(int64_t size);

// Reads a greyscale PGM (P2 or P5; maxval up to 65535) or a PNG (grey or colour, colour converted
// to grey by libpng; no alpha channel), chosen by the file's first bytes, not its name. Intensities
// are value / maxval. A missing, truncated or malformed file throws DataError naming the file and,
// for PGM, the byte offset of the problem.
GreyImage read_grey_image(const std::filesystem::path& file);

// Pixel-centre coordinates, float32 [height * width, 2], one row (x, y) per pixel in row-major
// order: x runs over the columns from -1 (left) to +1 (right), y over the rows from -1 (top) to +1
// (bottom), evenly spaced, so the first and last pixel centres lie exactly on -1 and +1 (SIREN's
// get_mgrid). A side of one pixel sits at 0.
at::Tensor pixel_coordinates(int64_t height, int64_t width);

// An image's intensities as float32 [height, width] in [0, 1].
at::Tensor image_tensor(const GreyImage& image);

}  // namespace actbench::data

//! Pictures from scenario folders and QR codes, turned into textures without the asset
//! server (scenario folders live outside `assets/`).

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use std::path::Path;

/// An RGBA buffer as a texture; `nearest` keeps QR modules sharp.
pub fn from_rgba(w: u32, h: u32, rgba: Vec<u8>, nearest: bool) -> Image {
    let mut img = Image::new(
        Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        rgba,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
    );
    if nearest {
        img.sampler = ImageSampler::nearest();
    }
    img
}

/// A PNG file as a texture and its size; `None` if it cannot be read.
pub fn load_png(path: &Path) -> Option<(Image, UVec2)> {
    let img = image::open(path).ok()?.to_rgba8();
    let (w, h) = img.dimensions();
    Some((from_rgba(w, h, img.into_raw(), false), UVec2::new(w, h)))
}

import { BSDS500_SHA256 } from './checksums/bsds500.js';
import { KODAK_SHA256 } from './checksums/kodak.js';
import { STYLE_SHA256 } from './checksums/style.js';
import { WEIGHTS_SHA256 } from './checksums/weights.js';
import { type DatasetFile, listDatasets, registerDataset } from './dataset.js';
import { parseSha256Manifest } from './manifest.js';

/**
 * The datasets the project's tasks use, with checksums and public download addresses. Fetched data
 * lives under the data root, never in the repository. Registration happens on import of core.
 */

const gh = (repo: string, commit: string, path: string): string => `https://raw.githubusercontent.com/${repo}/${commit}/${path}`;

const KODAK_GITHUB = ['ayushabrol13/Asymmetric-Learned-Image-Compression-with-Multi-Scale-Residual-Block', '03ea80b9e91bbe2bebf51e81a9e74c84af2af802'] as const;

/** Where each painting was published (repository, commit, path), from the shared data's PROVENANCE. */
const STYLE_SOURCES: Record<string, readonly [string, string, string]> = {
  '01_vangogh_starry_night.jpg': ['jcjohnson/neural-style', '07c4b8299f8fbdafec0c514fc820ff1d7ff62e46', 'examples/inputs/starry_night_google.jpg'],
  '02_munch_the_scream.jpg': ['jcjohnson/neural-style', '07c4b8299f8fbdafec0c514fc820ff1d7ff62e46', 'examples/inputs/the_scream.jpg'],
  '03_hokusai_great_wave.jpg': ['jcjohnson/fast-neural-style', '813c83441953ead2adb3f65f4cc2d5599d735fa7', 'images/styles/wave.jpg'],
  '04_turner_shipwreck_of_the_minotaur.jpg': ['jcjohnson/neural-style', '07c4b8299f8fbdafec0c514fc820ff1d7ff62e46', 'examples/inputs/shipwreck.jpg'],
  '05_kandinsky_composition_vii.jpg': ['jcjohnson/fast-neural-style', '813c83441953ead2adb3f65f4cc2d5599d735fa7', 'images/styles/composition_vii.jpg'],
  '06_picabia_udnie.jpg': ['jcjohnson/fast-neural-style', '813c83441953ead2adb3f65f4cc2d5599d735fa7', 'images/styles/udnie.jpg'],
  '07_matisse_woman_with_a_hat.jpg': ['jcjohnson/neural-style', '07c4b8299f8fbdafec0c514fc820ff1d7ff62e46', 'examples/inputs/woman-with-hat-matisse.jpg'],
  '08_klimt_the_kiss.png': ['leongatys/PytorchNeuralStyleTransfer', '0dfa1a522c5b232256e93f672393c85acf893bc4', 'Images/kiss.png'],
  '09_vangogh_self_portrait_1889.jpg': ['alexjc/neural-doodle', 'b2fac92b27dea18cf1ab8438c981b3537fa9ad06', 'samples/Gogh.jpg'],
  '10_monet_etretat.jpg': ['alexjc/neural-doodle', 'b2fac92b27dea18cf1ab8438c981b3537fa9ad06', 'samples/Monet.jpg'],
  '11_renoir_landscape.jpg': ['alexjc/neural-doodle', 'b2fac92b27dea18cf1ab8438c981b3537fa9ad06', 'samples/Renoir.jpg'],
  '12_cezanne_apples.jpg': ['DmitryUlyanov/texture_nets', 'aad2cc6f8a998fedc77b64bdcfe1e2884aa0fb3e', 'data/textures/cezanne.jpg'],
  '13_vallotton_camille_mauclair.jpg': ['magenta/magenta', '526d3eb1a39df21215d286079cb0b8fc179fd4b3', 'magenta/models/arbitrary_image_stylization/images/style_images/Camille_Mauclair.jpg'],
  '14_vandoesburg_composition_xiii.jpg': ['magenta/magenta', '526d3eb1a39df21215d286079cb0b8fc179fd4b3', 'magenta/models/arbitrary_image_stylization/images/style_images/Theo_van_Doesburg_sq.jpg'],
  '15_mondrian_c1913.jpg': ['xunhuang1995/AdaIN-style', '6d8ac287f35010faf8feece4047bfe86c8c007d0', 'input/style/mondrian.jpg'],
};

function styleUrls(path: string): string[] {
  const [folder, file] = path.split('/');
  if (folder === 'styles') {
    const src = STYLE_SOURCES[file];
    return src ? [gh(...src)] : [];
  }
  if (folder === 'content_coco') {
    // The COCO train2014 photos came from one repository, the test/val ones from another.
    return file.startsWith('COCO_train2014_')
      ? [gh('ManaviAgrawal/VQA', '1b3c07d6dc2ff87ec515d390218fbd32260ae85c', `train2014/${file}`)]
      : [gh('codewithminer/ImageCaptioning', '8f5b204be403af43e70fc272ff156014b2e2d50e', `images/${file}`)];
  }
  return [];
}

/** Where each loss network's folder was published (repository, commit, folder), from the shared data's PROVENANCE. */
const WEIGHTS_SOURCES: Record<string, readonly [string, string, string]> = {
  'darknet_tiny_imagenet_tfjs': ['ml5js/ml5-data-and-models', '0612a3e7c51cbffdc5db701dff49d16d1ac26fa8', 'models/darknetclassifier/darknettiny'],
  'mobilenet_v1_1.0_224_imagenet_tfjs': ['kostasx/tfjs-mobilenet-offline-model', 'e83b439e762a98ab8ce0dfb03a5c9918214f10cb', 'models/v1_1.0_224'],
};

function weightsUrls(path: string): string[] {
  const [folder, file] = path.split('/');
  const src = WEIGHTS_SOURCES[folder];
  return src ? [gh(src[0], src[1], `${src[2]}/${file}`)] : [];
}

const FASHION_MNIST: Record<string, string> = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

export const BUILTIN_DATASETS = ['kodak', 'bsds500', 'fashion-mnist', 'style', 'weights'] as const;

/** Registers the built-in datasets once (idempotent, so several importers are fine). */
export function registerBuiltinDatasets(): void {
  if (listDatasets().some((d) => d.name === 'kodak')) return;
  registerDataset({
    name: 'kodak',
    folder: 'kodak',
    description: 'Kodak Lossless True Color Image Suite, 24 PNGs of 768×512 or 512×768',
    homepage: 'http://r0k.us/graphics/kodak/',
    licence: 'released by the Eastman Kodak Company for unrestricted usage',
    downloadSize: '15 MB',
    files: parseSha256Manifest(KODAK_SHA256, 'kodak checksums').map(
      (e): DatasetFile => ({
        ...e,
        urls: [`http://r0k.us/graphics/kodak/kodak/${e.path}`, gh(KODAK_GITHUB[0], KODAK_GITHUB[1], `kodak/${e.path}`)],
      }),
    ),
  });
  registerDataset({
    name: 'bsds500',
    folder: 'bsds500',
    description: 'Berkeley Segmentation Dataset 500, colour JPEGs 481×321 in train/val/test',
    homepage: 'https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/resources.html',
    licence: 'free of charge for non-commercial research and educational purposes (UC Berkeley); images are Corel stock photos',
    downloadSize: '70 MB archive',
    archive: {
      url: 'https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/BSR/BSR_bsds500.tgz',
      format: 'tar.gz',
      member: (p) => {
        const m = /^BSR\/BSDS500\/data\/images\/(train|val|test)\/([^/]+\.jpg)$/.exec(p);
        return m ? `${m[1]}/${m[2]}` : null;
      },
    },
    // The CBSD68 id list is not part of the Berkeley archive; it is verified when present.
    files: parseSha256Manifest(BSDS500_SHA256, 'bsds500 checksums').map((e) => (e.path.endsWith('.txt') ? { ...e, optional: true } : e)),
  });
  registerDataset({
    name: 'fashion-mnist',
    folder: 'fashion-mnist',
    description: 'Fashion-MNIST, 70,000 28×28 gray images of clothing in IDX files (plain or .gz)',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    licence: 'MIT (Zalando SE, 2017)',
    downloadSize: '30 MB',
    // Debian's dataset-fashion-mnist package installs the gzipped IDX files here.
    systemPaths: ['/usr/share/datasets/fashion-mnist'],
    files: Object.entries(FASHION_MNIST).map(([path, sha256]) => ({
      path,
      sha256,
      gzip: true,
      urls: [
        `http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/${path}.gz`,
        `https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/${path}.gz`,
      ],
    })),
  });
  registerDataset({
    name: 'style',
    folder: 'style',
    description: 'style-transfer images: 15 public-domain paintings (styles/) and 218 MS-COCO content photos (content_coco/)',
    homepage: 'https://cocodataset.org/ and the repositories named in the shared data PROVENANCE.md',
    licence: 'paintings: public domain; COCO photos: their Flickr owners’ Creative Commons licences (COCO terms of use)',
    downloadSize: '9 MB',
    files: parseSha256Manifest(STYLE_SHA256, 'style checksums').map((e) => ({ ...e, urls: styleUrls(e.path) })),
  });
  registerDataset({
    name: 'weights',
    folder: 'weights',
    description: "style task's loss networks: MobileNet v1 1.0_224 and Darknet-tiny ImageNet classifiers, TensorFlow.js layers models",
    homepage: 'https://github.com/tensorflow/tfjs-models (MobileNet) and https://github.com/ml5js/ml5-data-and-models (Darknet-tiny)',
    licence: 'MobileNet v1: Apache-2.0 (Google tfjs-models); Darknet-tiny: public domain (Darknet), ml5 copy MIT',
    downloadSize: '17 MB',
    files: parseSha256Manifest(WEIGHTS_SHA256, 'weights checksums').map((e) => ({ ...e, urls: weightsUrls(e.path) })),
  });
}

registerBuiltinDatasets();


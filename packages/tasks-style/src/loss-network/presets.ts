import type { InputMapping } from './network.js';

/**
 * A loss network: where its tfjs layers model lives (relative to the data root, or absolute), how
 * its input is scaled, its content layer and its four style layers from shallow to deep.
 */
export interface LossNetworkSpec {
  path: string;
  input: InputMapping;
  content: string;
  style: [string, string, string, string];
}

/**
 * The networks of the shared data root (PROVENANCE.md §4). MobileNet v1 is complete up to
 * conv_pw_12; its style layers sit at strides 2, 4, 8 and 16 and the content layer at stride 8.
 * Darknet-tiny's at strides 1, 2, 4 and 8, content at stride 4. A VGG in tfjs layers format is
 * selected by path and layer names instead (e.g. input 'caffe', block{1..4}_conv1, block4_conv2).
 */
export const LOSS_NETWORKS: Readonly<Record<string, LossNetworkSpec>> = {
  mobilenet: {
    path: 'weights/mobilenet_v1_1.0_224_imagenet_tfjs',
    input: 'symmetric',
    content: 'conv_pw_5_relu',
    style: ['conv_pw_1_relu', 'conv_pw_3_relu', 'conv_pw_5_relu', 'conv_pw_11_relu'],
  },
  darknet: {
    path: 'weights/darknet_tiny_imagenet_tfjs',
    input: 'unit',
    content: 'leaky_re_lu_6',
    style: ['leaky_re_lu_1', 'leaky_re_lu_2', 'leaky_re_lu_4', 'leaky_re_lu_8'],
  },
};

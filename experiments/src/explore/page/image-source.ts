/// <reference lib="dom" />
// The input image of a page: one of the server's images (a picker) or one the user drops on the page
// or opens, shown as the page's input figure. The compression and style pages share it.
import { decodeDropped, drawRgb, type Rgb } from './rgb.js';

const DROPPED = '(dropped image)';

export interface FigureParts {
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
  info: HTMLElement;
}

/** A captioned canvas with a line of text under it. */
export function figure(parent: HTMLElement, id: string, caption: string): FigureParts {
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  const canvas = document.createElement('canvas');
  canvas.id = id;
  const info = document.createElement('div');
  info.className = 'note';
  info.id = `${id}-info`;
  fig.append(cap, canvas, info);
  parent.append(fig);
  return { canvas, caption: cap, info };
}

export function labelled(text: string, el: HTMLElement): HTMLLabelElement {
  const l = document.createElement('label');
  l.append(text, el);
  return l;
}

export interface ImageSourceOptions {
  /** The server's images, by name, in picker order. */
  names: string[];
  fetch(name: string): Promise<Rgb>;
  /** What the page works on, made from the full image (a crop, say). */
  prepare(full: Rgb): Rgb;
  /** A dropped image is scaled to cover cover×cover first (as the server's own are), when given. */
  cover?: number;
  /** More controls after the picker (e.g. the crop); call `reload` when they change. */
  extra?: HTMLElement[];
  note: string;
  /** Called after the user picks or drops another image (not on the first load). */
  changed(): void;
}

export interface ImageSource {
  /** The prepared image and its name, or null while there is none (no server images, nothing dropped). */
  readonly image: Rgb | null;
  readonly name: string;
  /** Prepares the current choice again (after an `extra` control changed) and calls `changed`. */
  reload(): void;
}

/** The picker, a file input and drop-anywhere, and the input figure `#original`; resolves once the first image is loaded. */
export async function imageSource(parent: HTMLElement, row: HTMLElement, o: ImageSourceOptions): Promise<ImageSource> {
  const controls = document.createElement('div');
  controls.className = 'controls';
  const picker = document.createElement('select');
  picker.id = 'image-picker';
  for (const name of o.names) picker.append(new Option(name, name));
  picker.append(new Option(DROPPED, DROPPED));
  const file = document.createElement('input');
  Object.assign(file, { type: 'file', accept: 'image/png,image/jpeg,image/webp', id: 'image-file' });
  controls.append(labelled('Image ', picker), ' ', ...(o.extra ?? []).flatMap((e) => [e, ' ']), labelled(' or drop / open your own: ', file));
  const note = document.createElement('div');
  note.className = 'note';
  note.textContent = o.note;
  parent.prepend(controls, note);
  const original = figure(row, 'original', 'input');

  let dropped: Rgb | null = null;
  const state: { image: Rgb | null; name: string } = { image: null, name: '' };
  const load = async () => {
    const full = picker.value === DROPPED ? dropped : await o.fetch(picker.value);
    state.name = picker.value === DROPPED ? 'dropped' : picker.value;
    state.image = full ? o.prepare(full) : null;
    if (state.image) drawRgb(original.canvas, state.image);
    original.caption.textContent = state.image ? `input: ${state.name}, ${state.image.width}×${state.image.height}` : 'input: drop an image on the page';
  };
  const reload = () => void load().then(o.changed, (err: unknown) => (document.getElementById('error')!.textContent = (err as Error).message));
  picker.addEventListener('change', reload);
  const take = async (f: File | undefined) => {
    if (!f) return;
    try {
      dropped = await decodeDropped(f, o.cover);
      picker.value = DROPPED;
      reload();
    } catch (err) {
      document.getElementById('error')!.textContent = (err as Error).message;
    }
  };
  file.addEventListener('change', () => void take(file.files?.[0]));
  document.body.addEventListener('dragover', (e) => e.preventDefault());
  document.body.addEventListener('drop', (e) => {
    e.preventDefault();
    void take(e.dataTransfer?.files[0]);
  });
  if (o.names.length === 0) picker.value = DROPPED;
  await load();
  return {
    get image() {
      return state.image;
    },
    get name() {
      return state.name;
    },
    reload,
  };
}

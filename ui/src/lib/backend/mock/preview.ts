/**
 * Preview frames for the mock: a test picture drawn on a canvas and encoded as JPEG, like the
 * engine's preview branch (jpegenc, ~640×360). Where there is no canvas (jsdom), a small fixed JPEG.
 */
import type { PreviewFrame, SourceThumbnail } from '../backend';
import type { World } from './world';

/** A 32×18 dark JPEG, for environments without a canvas. */
export const FALLBACK_JPEG =
  'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQc1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/wAALCAASACABAREA/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/9oACAEBAAA/AKgAf//Z';

const canvases = new Map<string, HTMLCanvasElement | null>();

/** A canvas of this size (one per size, reused), or null where there is none (jsdom). */
function surface(width: number, height: number): { ctx: CanvasRenderingContext2D; canvas: HTMLCanvasElement } | null {
  const key = `${width}x${height}`;
  if (!canvases.has(key)) {
    const jsdom = typeof navigator !== 'undefined' && navigator.userAgent.includes('jsdom');
    const created = typeof document === 'undefined' || jsdom ? null : document.createElement('canvas');
    if (created) {
      created.width = width;
      created.height = height;
    }
    canvases.set(key, created);
  }
  const canvas = canvases.get(key) ?? null;
  const ctx = canvas?.getContext('2d') ?? null;
  return canvas && ctx ? { ctx, canvas } : null;
}

const SCENES = [
  { top: '#3a1416', bottom: '#120607', ring: '#c8332f' },
  { top: '#0f2a44', bottom: '#060d16', ring: '#2f7fc8' },
  { top: '#26331a', bottom: '#0b1007', ring: '#7fb347' },
];

function scene(ctx: CanvasRenderingContext2D, slot: number, name: string, x: number, y: number, w: number, h: number, t: number) {
  const colours = SCENES[slot % SCENES.length] ?? SCENES[0]!;
  const gradient = ctx.createLinearGradient(0, y, 0, y + h);
  gradient.addColorStop(0, colours.top);
  gradient.addColorStop(1, colours.bottom);
  ctx.fillStyle = gradient;
  ctx.fillRect(x, y, w, h);
  // A ring with ropes and two moving figures: enough to see that the picture is alive.
  ctx.strokeStyle = colours.ring;
  ctx.lineWidth = Math.max(1, w / 200);
  for (let i = 0; i < 3; i += 1) {
    const ry = y + h * (0.5 + i * 0.08);
    ctx.beginPath();
    ctx.moveTo(x + w * 0.1, ry);
    ctx.lineTo(x + w * 0.9, ry);
    ctx.stroke();
  }
  for (const [offset, colour] of [
    [0, '#f1d3b3'],
    [Math.PI, '#d9a57a'],
  ] as const) {
    const fx = x + w * (0.5 + 0.18 * Math.cos(t / 700 + offset));
    const fy = y + h * 0.47;
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(fx, fy - h * 0.12, h * 0.045, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillRect(fx - w * 0.025, fy - h * 0.07, w * 0.05, h * 0.14);
  }
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(x, y + h - h * 0.12, w, h * 0.12);
  ctx.fillStyle = '#fff';
  ctx.font = `600 ${Math.round(h * 0.06)}px sans-serif`;
  ctx.fillText(name, x + w * 0.03, y + h - h * 0.035);
}

function slate(ctx: CanvasRenderingContext2D, kind: string, title: string, language: string) {
  ctx.fillStyle = '#0b0e14';
  ctx.fillRect(0, 0, 640, 360);
  ctx.fillStyle = '#e5484d';
  ctx.fillRect(0, 0, 640, 6);
  const french = language === 'fr';
  const words: Record<string, [string, string]> = {
    countdown: ['Starting in a few minutes', 'Début dans quelques minutes'],
    starting_soon: ['Starting soon', 'Le direct commence bientôt'],
    be_right_back: ['Be right back', 'Nous revenons tout de suite'],
    ended: ['Thank you for watching', 'Merci d’avoir regardé'],
  };
  const pair = words[kind] ?? words.starting_soon!;
  ctx.fillStyle = '#fff';
  ctx.textAlign = 'center';
  ctx.font = '700 34px sans-serif';
  ctx.fillText(french ? pair[1] : pair[0], 320, 180);
  ctx.fillStyle = '#9aa3b2';
  ctx.font = '20px sans-serif';
  ctx.fillText(title, 320, 220);
  ctx.textAlign = 'start';
}

/** One slot as the program shows it: the slate, "no signal" for a failed source, or its scene. */
function drawSlot(ctx: CanvasRenderingContext2D, world: World, slot: number, x: number, y: number, w: number, h: number) {
  const slots = world.live.slots;
  const source = world.live.sources.find((candidate) => candidate.name === slots[slot]);
  if (slot === slots.length - 1) {
    const title = world.shows.find((show) => show.id === world.live.showId)?.title ?? world.profile.show.title;
    ctx.save();
    ctx.translate(x, y);
    ctx.scale(w / 640, h / 360);
    slate(ctx, world.live.slate ?? 'starting_soon', title, world.profile.show.language ?? 'en');
    ctx.restore();
  } else if (source?.state === 'failed') {
    ctx.fillStyle = '#1a1a1a';
    ctx.fillRect(x, y, w, h);
    ctx.fillStyle = '#f5a524';
    ctx.font = `700 ${Math.round(h * 0.08)}px sans-serif`;
    ctx.fillText('NO SIGNAL', x + w * 0.36, y + h * 0.52);
  } else {
    scene(ctx, slot, slots[slot] ?? '', x, y, w, h, world.now());
  }
}

/** The program as it looks now, for the preview channel. */
export function drawFrame(world: World): PreviewFrame {
  const surfaced = surface(640, 360);
  if (!surfaced) return { dataUrl: FALLBACK_JPEG, width: 32, height: 18 };
  const { ctx, canvas } = surfaced;
  const t = world.now();
  const layout = world.live.layout;
  if (!layout || layout.layout === 'single') {
    drawSlot(ctx, world, layout?.slot ?? 0, 0, 0, 640, 360);
  } else {
    drawSlot(ctx, world, layout.main, 0, 0, 640, 360);
    const w = Math.round((640 * layout.size_percent) / 100);
    const h = Math.round((w * 9) / 16);
    const x = layout.corner.endsWith('left') ? 16 : 640 - w - 16;
    const y = layout.corner.startsWith('top') ? 16 : 360 - h - 16;
    drawSlot(ctx, world, layout.inset, x, y, w, h);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.strokeRect(x, y, w, h);
  }
  // The timecode, so a frozen picture is obvious.
  const stamp = new Date(t).toISOString().slice(11, 22);
  ctx.fillStyle = 'rgba(0,0,0,0.6)';
  ctx.fillRect(640 - 150, 8, 142, 26);
  ctx.fillStyle = '#fff';
  ctx.font = '16px monospace';
  ctx.fillText(stamp, 640 - 142, 27);
  return { dataUrl: canvas.toDataURL('image/jpeg', 0.72), width: 640, height: 360 };
}

/** Each source's thumbnail (the engine taps the sources, not the slate), like the thumbnails channel. */
export function drawThumbnails(world: World): SourceThumbnail[] {
  const failed = (name: string) => world.live.sources.some((source) => source.name === name && source.state === 'failed');
  // A failed source's pipeline is down (the no-signal slate stands in for it): no thumbnail.
  const sources = world.live.slots.slice(0, -1).map((source, slot) => ({ source, slot }));
  return sources.filter(({ source }) => !failed(source)).map(({ source, slot }) => {
    const surfaced = surface(256, 144);
    if (!surfaced) return { dataUrl: FALLBACK_JPEG, width: 32, height: 18, slot, source };
    drawSlot(surfaced.ctx, world, slot, 0, 0, 256, 144);
    return { dataUrl: surfaced.canvas.toDataURL('image/jpeg', 0.7), width: 256, height: 144, slot, source };
  });
}

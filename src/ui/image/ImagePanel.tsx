/**
 * One image panel of the image view: the image on a canvas (row 0 at the bottom), component
 * ellipses on an SVG overlay (the centre handle drags the component), and a colour bar. The
 * viewport (centre and zoom) is shared by the panels through the image-view store: drag to pan,
 * wheel to zoom, double-click to fit. A click (no drag) while a component waits to be placed
 * calls onPlace with image coordinates. Colours come from figures/image-display.ts.
 */
import { useEffect, useRef, useState } from 'react';
import { colorbarTicks, renderRgba, type ColorMap, type ComponentEllipse, type Stretch, DEG_PER_RAD } from '../../figures/image-display';
import type { ImageViewport } from '../../state/image-view';
import { fmt } from '../format';

export interface PanelEllipse extends ComponentEllipse {
  name: string;
}

export interface ImagePanelProps {
  title: string;
  testId: string;
  values: Float64Array;
  /** changes whenever `values` changed (the array may be reused) */
  revision: number;
  rows: number;
  cols: number;
  mask?: Uint8Array | null;
  limits: [number, number];
  stretch: Stretch;
  cmap: ColorMap;
  colorbarLabel: string;
  viewport: ImageViewport | null;
  onViewport: (v: ImageViewport | null) => void;
  ellipses: PanelEllipse[];
  /** ellipse drag: start (once), move (image coordinates), end */
  onDrag?: (phase: 'start' | 'move' | 'end', name: string, x: number, y: number) => void;
  placing: boolean;
  onPlace?: (x: number, y: number) => void;
  onHover?: (pixel: { i: number; j: number } | null) => void;
  /** a sum of the values written to data-sum (tests check that the image changed) */
  sum?: number;
}

/** The viewport that shows the whole image in a w x h panel. */
export function fitViewport(rows: number, cols: number, w: number, h: number): ImageViewport {
  return { cx: (cols - 1) / 2, cy: (rows - 1) / 2, scale: Math.max(1e-3, Math.min(w / cols, h / rows)) };
}

let paints = 0;

export function ImagePanel(p: ImagePanelProps) {
  const { rows, cols } = p;
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const offscreen = useRef<HTMLCanvasElement | null>(null);
  const [size, setSize] = useState(300);
  const vp = p.viewport ?? fitViewport(rows, cols, size, size);
  const vpRef = useRef(vp);
  vpRef.current = vp;
  const props = useRef(p);
  props.current = p;

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize(Math.max(120, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // colours of the image (only when the values, limits or stretch change)
  useEffect(() => {
    let off = offscreen.current;
    if (!off) off = offscreen.current = document.createElement('canvas');
    if (off.width !== cols || off.height !== rows) {
      off.width = cols;
      off.height = rows;
    }
    const ctx = off.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, rows);
    renderRgba(p.values, rows, cols, p.limits, p.stretch, p.cmap, img.data, p.mask);
    ctx.putImageData(img, 0, 0);
    draw();
    paints++;
    if (canvas.current) canvas.current.dataset.revision = String(paints);
  }, [p.values, p.revision, p.limits[0], p.limits[1], p.stretch, p.cmap, p.mask, rows, cols]); // eslint-disable-line react-hooks/exhaustive-deps

  // placement on the screen (viewport and size)
  useEffect(draw, [vp.cx, vp.cy, vp.scale, size]); // eslint-disable-line react-hooks/exhaustive-deps

  function draw(): void {
    const el = canvas.current;
    const off = offscreen.current;
    if (!el || !off) return;
    const dpr = window.devicePixelRatio || 1;
    if (el.width !== Math.round(size * dpr)) {
      el.width = Math.round(size * dpr);
      el.height = Math.round(size * dpr);
    }
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const v = vpRef.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#e8eaee';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = false;
    const left = size / 2 + (-0.5 - v.cx) * v.scale;
    const top = size / 2 - (rows - 0.5 - v.cy) * v.scale;
    ctx.drawImage(off, left, top, cols * v.scale, rows * v.scale);
  }

  const toImage = (clientX: number, clientY: number): { x: number; y: number } => {
    const r = canvas.current!.getBoundingClientRect();
    const v = vpRef.current;
    return { x: v.cx + (clientX - r.left - size / 2) / v.scale, y: v.cy - (clientY - r.top - size / 2) / v.scale };
  };

  // wheel zoom about the pointer (a native listener: React's is passive and cannot stop the page scrolling)
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = vpRef.current;
      const at = toImage(e.clientX, e.clientY);
      const scale = Math.min(200, Math.max(0.05, v.scale * Math.pow(1.2, -e.deltaY / 100)));
      const r = canvas.current!.getBoundingClientRect();
      const sx = e.clientX - r.left - size / 2;
      const sy = e.clientY - r.top - size / 2;
      props.current.onViewport({ scale, cx: at.x - sx / scale, cy: at.y + sy / scale });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [size]); // eslint-disable-line react-hooks/exhaustive-deps

  const pan = useRef<{ x: number; y: number; v: ImageViewport; moved: boolean; id: number } | null>(null);
  const drag = useRef<{ name: string; id: number; dx: number; dy: number } | null>(null);

  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    pan.current = { x: e.clientX, y: e.clientY, v: vpRef.current, moved: false, id: e.pointerId };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const at = toImage(e.clientX, e.clientY);
    const i = Math.round(at.y);
    const j = Math.round(at.x);
    p.onHover?.(i >= 0 && i < rows && j >= 0 && j < cols ? { i, j } : null);
    const d = drag.current;
    if (d && d.id === e.pointerId) {
      p.onDrag?.('move', d.name, at.x + d.dx, at.y + d.dy);
      return;
    }
    const s = pan.current;
    if (!s || s.id !== e.pointerId) return;
    const dx = e.clientX - s.x;
    const dy = e.clientY - s.y;
    if (!s.moved && Math.hypot(dx, dy) < 3) return;
    s.moved = true;
    p.onViewport({ scale: s.v.scale, cx: s.v.cx - dx / s.v.scale, cy: s.v.cy + dy / s.v.scale });
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    if (d && d.id === e.pointerId) {
      drag.current = null;
      const at = toImage(e.clientX, e.clientY);
      p.onDrag?.('end', d.name, at.x + d.dx, at.y + d.dy);
      return;
    }
    const s = pan.current;
    pan.current = null;
    if (s && !s.moved && p.placing && p.onPlace) {
      const at = toImage(e.clientX, e.clientY);
      if (at.x >= -0.5 && at.x <= cols - 0.5 && at.y >= -0.5 && at.y <= rows - 0.5) p.onPlace(at.x, at.y);
    }
  };
  const startDrag = (e: React.PointerEvent, el: PanelEllipse) => {
    // while a component waits to be placed, a click on an ellipse places it like anywhere else
    if (e.button !== 0 || !p.onDrag || p.placing) return;
    e.stopPropagation();
    wrap.current?.setPointerCapture?.(e.pointerId);
    const at = toImage(e.clientX, e.clientY);
    // keep the offset between the pointer and the centre, so the ellipse does not jump
    drag.current = { name: el.name, id: e.pointerId, dx: el.x - at.x, dy: el.y - at.y };
    p.onDrag('start', el.name, el.x, el.y);
  };

  const sx = (x: number) => size / 2 + (x - vp.cx) * vp.scale;
  const sy = (y: number) => size / 2 - (y - vp.cy) * vp.scale;
  const ticks = colorbarTicks(p.limits, p.stretch, 4);

  return (
    <figure className="image-panel" aria-label={`${p.title} image`}>
      <figcaption>{p.title}</figcaption>
      <div
        ref={wrap}
        className={p.placing ? 'image-canvas-wrap placing' : 'image-canvas-wrap'}
        style={{ height: size }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => p.onHover?.(null)}
        onDoubleClick={() => p.onViewport(null)}
      >
        <canvas ref={canvas} data-testid={p.testId} data-sum={p.sum !== undefined ? p.sum.toPrecision(12) : undefined} style={{ width: size, height: size }} />
        <svg className="image-overlay" width={size} height={size} aria-hidden={p.ellipses.length === 0}>
          {p.ellipses.map((el) => {
            const cx = sx(el.x);
            const cy = sy(el.y);
            return (
              <g key={el.name} className="component-ellipse" data-component={el.name}>
                <ellipse
                  cx={cx}
                  cy={cy}
                  rx={Math.max(0.5, el.a * vp.scale)}
                  ry={Math.max(0.5, el.b * vp.scale)}
                  transform={`rotate(${-el.pa * DEG_PER_RAD} ${cx} ${cy})`}
                  onPointerDown={(e) => startDrag(e, el)}
                />
                <circle className="ellipse-handle" cx={cx} cy={cy} r={5} onPointerDown={(e) => startDrag(e, el)}>
                  <title>{`${el.name}: drag to move its centre`}</title>
                </circle>
                <text x={cx + 7} y={cy - 7}>
                  {el.name}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <div className="colorbar" aria-label={`${p.title} colour bar`}>
        <ColorBarStrip cmap={p.cmap} />
        <div className="colorbar-ticks">
          {ticks.map((t) => (
            <span key={t.value} style={{ left: `${100 * t.level}%` }}>
              {fmt(t.value, 3)}
            </span>
          ))}
        </div>
        <div className="colorbar-label">{p.colorbarLabel}</div>
      </div>
    </figure>
  );
}

/** The colour map as a strip (256 levels, left to right = display level 0..1). */
function ColorBarStrip({ cmap }: { cmap: ColorMap }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = ref.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const img = ctx.createImageData(256, 1);
    for (let k = 0; k < 256; k++) {
      img.data[4 * k] = cmap[3 * k];
      img.data[4 * k + 1] = cmap[3 * k + 1];
      img.data[4 * k + 2] = cmap[3 * k + 2];
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [cmap]);
  return <canvas ref={ref} className="colorbar-strip" width={256} height={1} />;
}

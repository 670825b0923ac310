// The layout as the fan site and the portal draw it. No DOM here: pure modules and their tests share it.
export type MapSeat = { id: string; label: string; x: number; y: number; accessible?: boolean; tier?: string | null };
export type MapArea = {
  id: string;
  name: string;
  capacity: number;
  tier?: string | null;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
};
export type MapLayout = {
  stage?: { x: number; y: number; label?: string } | null;
  sections: { id: string; name: string; rows: { label: string; seats: MapSeat[] }[] }[];
  areas: MapArea[];
};
/** a/h/s/b as the server says, plus the visitor's own view: picked, or in their hold. */
export type SeatView = "a" | "h" | "s" | "b" | "selected" | "mine";

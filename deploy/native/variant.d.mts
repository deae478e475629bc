// Types for variant.mjs, so TypeScript tests can import it.
export interface Variant {
  kind: 'cpu' | 'gpu';
  pkgName: string;
  wheelProject: string;
  wheelSizeMb: number;
}
export interface CudaRequirement {
  project: string;
  version: string;
}
export const variants: Record<'cpu' | 'gpu', Variant>;
export function wheelFilePrefix(variant: Variant, tfVersion: string): string;
export function tarballName(variant: Variant, tfVersion: string, withCuda: boolean): string;
export function cudaRequirements(metadata: string): CudaRequirement[];
export const gpuMarkers: readonly string[];
export function gpuPresent(exists: (path: string) => boolean): boolean;
export function wantCudaLibs(o: { variant: 'cpu' | 'gpu'; gpu: boolean; cudaLibs: boolean | undefined }): boolean;

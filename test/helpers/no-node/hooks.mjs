// Module customization hooks (module.register) that refuse every Node built-in module
// (node:fs, fs, crypto, …) imported by a file under src/, so a core module that needs Node fails
// to load, with the importer named. Tools (tsx, the test itself) keep their Node modules.
import { builtinModules } from 'node:module';

let srcUrl = '';

export function initialize(data) {
  srcUrl = data.srcUrl;
}

export async function resolve(specifier, context, nextResolve) {
  const builtin = specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
  if (builtin && context.parentURL?.startsWith(srcUrl)) {
    throw new Error(`Node module '${specifier}' imported by ${context.parentURL.slice(srcUrl.length - 4)} (the core must run without Node)`);
  }
  return nextResolve(specifier, context);
}

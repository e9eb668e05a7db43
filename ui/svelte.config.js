import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Styles go to the bundled CSS file, never into <style> tags at run
    // time: the CSP allows style-src 'self' only.
    css: 'external',
  },
};

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the built folder works from any path of any static host.
  base: './',
  // One bundle (React, Apollo Client, graphql) is right for an app this small.
  build: { chunkSizeWarningLimit: 1024 },
});

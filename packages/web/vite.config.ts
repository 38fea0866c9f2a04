import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev -w @homeward/web` serves the app with hot reload and forwards
// /api to a running `homeward serve` (HOMEWARD_API, default: the `homeward serve` default port 5170).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { "/api": process.env.HOMEWARD_API ?? "http://127.0.0.1:5170" },
  },
});

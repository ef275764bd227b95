// Builds a consumer project with webpack 5 (production), from the repo's own webpack: node webpack-build.mjs DIR.
// The project's src/main.js is the entry; dist/ gets main.js and the wasm webpack emits as an asset.
import { join } from "node:path";
import webpack from "webpack";

const dir = process.argv[2];
webpack({
  mode: "production",
  context: dir,
  entry: "./src/main.js",
  output: { path: join(dir, "dist"), filename: "main.js", clean: true },
  devtool: false,
}, (err, stats) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
  for (const w of info.warnings) console.log(`webpack warning: ${w.message}`);
  for (const e of info.errors) console.error(`webpack error: ${e.message}`);
  console.log(`ASSETS ${JSON.stringify(info.assets.map((a) => ({ name: a.name, size: a.size })))}`);
  process.exit(stats.hasErrors() ? 1 : 0);
});

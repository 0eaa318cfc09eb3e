// Policy files are bundled as text (esbuild `loader: { ".yml": "text" }`, and the vitest plugin).
declare module "*.yml" {
  const text: string;
  export default text;
}

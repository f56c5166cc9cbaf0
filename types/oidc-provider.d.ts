// oidc-provider ships no type declarations; the test IdP uses it untyped.
declare module "oidc-provider" {
  const Provider: any;
  export default Provider;
  export const errors: any;
}

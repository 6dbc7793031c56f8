export { authRouter, type AuthRouterDeps } from './router.ts';
export {
  authOf, csrfTokenOf, isSafeMethod, requireAuth, requireMethodPermission, requirePermission, requireRole, sameOrganization,
  type RequestAuth,
} from './middleware.ts';
export { ACCESS_COOKIE, clearSessionCookies, CSRF_COOKIE, CSRF_HEADER, readCookie, REFRESH_COOKIE, setSessionCookies } from './cookies.ts';

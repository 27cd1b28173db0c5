# syntax=docker/dockerfile:1
# Compiles the gateway; the runtime image takes only dist/ from here.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies alone, without install scripts.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
# GraphiQL and introspection stay on here too: the schema is public and the gateway holds no keys.
# `docker run -e GRAPHIQL=false -e INTROSPECTION=false` hides them (README, "In production").
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# Owned by root and read-only to the user the gateway runs as.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schema/operations ./schema/operations
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Most of what a request allocates dies with it; V8's allocation-site pretenuring would move some
# upstream rows straight into the old generation, where they keep their fields alive until a
# full collection (README, "Container").
CMD ["node", "--no-allocation-site-pretenuring", "dist/main.js"]

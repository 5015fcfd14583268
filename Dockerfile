# One image for every harvest process (producer, worker, serve); the command picks the role.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/harvest.js"]
